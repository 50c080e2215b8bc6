package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.http.ApiFixture.FakeRequests;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.query.Instance;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code GET /openapi.yaml} describes exactly the routes the API serves, each path parameter
 * declared, so the description cannot drift from the code: a route added without it fails here.
 */
@SuppressWarnings("unchecked")
class OpenApiTest {

    private static final Pattern PATH_PARAM = Pattern.compile("\\{(\\w+)}");
    private static final List<String> METHODS = List.of("get", "post", "put", "delete", "patch", "head", "options");

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldServeTheDescriptionAsYaml() {
        Api api = fixture.start(new FakeQueries());

        HttpResponse<String> response = fixture.get(api, ApiDescription.PATH);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(ApiDescription.CONTENT_TYPE);
        Map<String, Object> document = new Yaml().load(response.body());
        assertThat(document).containsEntry("openapi", "3.1.0");
    }

    @Test
    void shouldDescribeEveryRouteAndNoOther() {
        List<String> described = new ArrayList<>();
        paths().forEach((path, item) -> ((Map<String, Object>) item).keySet().stream().filter(METHODS::contains)
            .forEach(method -> described.add(method.toUpperCase(Locale.ROOT) + " " + path)));

        assertThat(described).containsExactlyInAnyOrderElementsOf(routes().endpoints());
    }

    @Test
    void shouldDeclareEveryPathParameterAndSomeResponses() {
        Map<String, Object> document = document();
        Map<String, Object> shared = (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("parameters");
        paths().forEach((path, item) -> ((Map<String, Object>) item).forEach((method, operation) -> {
            Map<String, Object> op = (Map<String, Object>) operation;
            List<String> declared = new ArrayList<>();
            for (Map<String, Object> parameter : (List<Map<String, Object>>) op.getOrDefault("parameters", List.of())) {
                Map<String, Object> resolved = parameter.containsKey("$ref")
                    ? (Map<String, Object>) shared.get(((String) parameter.get("$ref")).replace("#/components/parameters/", ""))
                    : parameter;
                if ("path".equals(resolved.get("in"))) {
                    declared.add((String) resolved.get("name"));
                }
            }
            List<String> inTemplate = new ArrayList<>();
            Matcher param = PATH_PARAM.matcher(path);
            while (param.find()) {
                inTemplate.add(param.group(1));
            }
            assertThat(declared).as("path parameters of %s %s", method, path).containsExactlyInAnyOrderElementsOf(inTemplate);
            assertThat((Map<String, Object>) op.get("responses")).as("responses of %s %s", method, path).isNotEmpty();
        }));
    }

    /** Every error an operation describes is a problem, of the one shared schema (but /ready's 503: its status). */
    @Test
    void shouldDescribeEveryErrorAsAProblemOfTheSharedSchema() {
        Map<String, Object> shared = (Map<String, Object>) components().get("responses");
        List<String> errors = new ArrayList<>();
        paths().forEach((path, item) -> ((Map<String, Object>) item).forEach((method, operation) ->
            ((Map<String, Object>) ((Map<String, Object>) operation).get("responses")).forEach((status, response) -> {
                if (Integer.parseInt(status) < 400 || (path.equals(OpsRoutes.READY) && status.equals("503"))) {
                    return;
                }
                errors.add(method + " " + path + " " + status);
                Map<String, Object> resolved = (Map<String, Object>) response;
                if (resolved.containsKey("$ref")) {
                    resolved = (Map<String, Object>) shared.get(((String) resolved.get("$ref"))
                        .replace("#/components/responses/", ""));
                }
                assertThat((Map<String, Object>) resolved.get("content")).as("%s %s %s", method, path, status)
                    .containsOnlyKeys(Problem.CONTENT_TYPE)
                    .extractingByKey(Problem.CONTENT_TYPE)
                    .isEqualTo(Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")));
            })));
        assertThat(errors).as("errors described").hasSizeGreaterThan(20);
    }

    @Test
    void shouldListEveryProblemTypeAndNoOther() {
        Map<String, Object> problem = (Map<String, Object>) ((Map<String, Object>) components().get("schemas")).get("Problem");
        Map<String, Object> type = (Map<String, Object>) ((Map<String, Object>) problem.get("properties")).get("type");

        assertThat((List<String>) type.get("enum")).containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Problem.values()).map(p -> p.type().toString()).toList());
    }

    private static Map<String, Object> components() {
        return (Map<String, Object>) document().get("components");
    }

    private static Routes routes() {
        return HttpApi.routes(HttpSettings.from(Map.of()), new HttpApi.Sources(new Instance("127.0.0.1", 8080),
            new FakeQueries(), Optional.empty(), Optional.empty(), new FakeRequests(), ProcessorMeters.newRegistry("openapi"),
            ApiFixture.console()),
            Clock.systemUTC());
    }

    private static Map<String, Object> paths() {
        return (Map<String, Object>) document().get("paths");
    }

    private static Map<String, Object> document() {
        return new Yaml().load(ApiDescription.class.getResourceAsStream(ApiDescription.RESOURCE));
    }
}
