// The web console. Polls GET /console/status about every second and charts rates from its counts;
// looks aggregates up through the API's own endpoints; calls the admin endpoints only with the token
// typed into the page, which stays in this tab's memory. Whatever comes from the server is written
// as text (textContent, attributes), never parsed as HTML.

const POLL_MS = 1000;
/** Samples a chart spans: about a minute and a half. */
const WINDOW = 90;
const SVG = 'http://www.w3.org/2000/svg';

const samples = [];
let shownAggregate = null;

// ---- small DOM helpers ----

function $(id) {
  return document.getElementById(id);
}

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : String(child ?? ''));
  }
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  return node;
}

function fillTable(table, rows, empty) {
  const body = table.tBodies[0];
  const columns = table.tHead.rows[0].cells.length;
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: columns, class: 'muted' }, empty))]));
}

function say(id, text, ok) {
  const node = $(id);
  node.textContent = text;
  node.className = ok === undefined ? 'muted' : ok ? 'message-ok' : 'message-bad';
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function size(bytes) {
  return bytes < 1024 ? bytes + ' B' : (bytes / 1024).toFixed(1) + ' KiB';
}

function number(value) {
  return value >= 100 ? Math.round(value).toString() : value.toFixed(value >= 10 ? 1 : 2);
}

// ---- talking to the server ----

/** Asks for JSON: the answer's status, body (null when not JSON) and headers. */
async function request(path, method = 'GET', headers = {}) {
  const response = await fetch(path, { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, body, headers: response.headers };
}

/** Why a request failed, from the API's error body (its reason, or a problem's detail). */
function reason(answer) {
  const body = answer.body || {};
  return body.detail || body.reason || body.title || 'HTTP ' + answer.status;
}

// ---- charts ----

/** A line chart in inline SVG: one polyline per series, the y axis from 0 to a round maximum. */
class Chart {
  static WIDTH = 400;
  static HEIGHT = 140;
  static LEFT = 40;
  static TOP = 8;
  static BOTTOM = 122;

  constructor(figure, unit) {
    this.unit = unit;
    this.svg = svg('svg', { viewBox: `0 0 ${Chart.WIDTH} ${Chart.HEIGHT}`, role: 'img' });
    this.legend = el('div', { class: 'legend' });
    figure.append(this.svg, this.legend);
  }

  /** Draws {name, values} series, values oldest first, the newest at the right edge. */
  draw(series) {
    const max = roundUp(Math.max(1, ...series.flatMap(s => s.values)));
    const right = Chart.WIDTH - 4;
    const step = (right - Chart.LEFT) / (WINDOW - 1);
    const y = value => Chart.BOTTOM - (value / max) * (Chart.BOTTOM - Chart.TOP);
    const nodes = [
      svg('line', { class: 'axis', x1: Chart.LEFT, y1: Chart.BOTTOM, x2: right, y2: Chart.BOTTOM }),
      svg('line', { class: 'axis', x1: Chart.LEFT, y1: Chart.TOP, x2: Chart.LEFT, y2: Chart.BOTTOM }),
      tick(Chart.LEFT - 4, Chart.BOTTOM + 3, '0'),
      tick(Chart.LEFT - 4, Chart.TOP + 7, number(max)),
      tick(right, Chart.HEIGHT - 2, 'now', 'end'),
      tick(Chart.LEFT, Chart.HEIGHT - 2, `-${WINDOW}s`, 'start'),
    ];
    series.forEach((s, i) => {
      const points = s.values.map((v, j) => `${(right - (s.values.length - 1 - j) * step).toFixed(1)},${y(v).toFixed(1)}`);
      nodes.push(svg('polyline', { class: `s${i % 8}`, 'data-series': s.name, points: points.join(' ') }));
    });
    this.svg.replaceChildren(...nodes);
    this.legend.replaceChildren(...(series.length ? series.map((s, i) => el('span', { class: 'entry' },
      el('span', { class: `swatch s${i % 8}` }), `${s.name} `,
      el('span', { class: 'latest', 'data-series': s.name }, s.values.length ? number(s.values.at(-1)) : '–'),
      this.unit)) : [el('span', { class: 'muted' }, 'none yet')]));
  }
}

function tick(x, y, text, anchor = 'end') {
  const node = svg('text', { class: 'tick', x, y, 'text-anchor': anchor });
  node.textContent = text;
  return node;
}

/** The least of 1, 2, 5 or 10 times a power of ten that is at least value. */
function roundUp(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map(m => m * power).find(candidate => candidate >= value);
}

const charts = {};

/** Per-second rates of a count between successive samples (0 across a restart of the process). */
function rates(count) {
  const values = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i].t - samples[i - 1].t) / 1000;
    const delta = count(samples[i]) - count(samples[i - 1]);
    values.push(seconds > 0 && delta > 0 ? delta / seconds : 0);
  }
  return values;
}

/** A rate series per reason counted so far, in the server's order. */
function ratesByReason(field) {
  const latest = samples.at(-1).counts[field];
  return Object.keys(latest).filter(r => latest[r] > 0).map(r => ({ name: r, values: rates(s => s.counts[field][r]) }));
}

function drawCharts() {
  charts.events.draw([{ name: 'folded', values: rates(s => s.counts.eventsFolded) }]);
  charts.snapshots.draw(ratesByReason('snapshots'));
  charts.deadLetters.draw(ratesByReason('deadLetters'));
  const lag = samples.filter(s => s.writerLag !== null).map(s => s.writerLag);
  charts.writerLag.draw(samples.at(-1).writerLag === null ? [] : [{ name: 'lag', values: lag }]);
}

// ---- the status ----

/** {"topic": [0, 1]} as "topic: 0, 1". */
function partitionsText(byTopic) {
  return Object.entries(byTopic).map(([topic, numbers]) => `${topic}: ${numbers.join(', ')}`).join(' · ') || '–';
}

function showStatus(status) {
  $('instance').textContent = status.instance;
  const state = $('state');
  state.textContent = status.state;
  state.className = 'badge ' + (status.state === 'RUNNING' ? 'ok' : status.state === 'REBALANCING' ? 'warn' : 'bad');
  $('updated').textContent = 'updated ' + time(status.at);

  samples.push({ t: Date.parse(status.at), counts: status.counts,
    writerLag: status.snapshotWriter ? status.snapshotWriter.lag : null });
  if (samples.length > WINDOW + 1) {
    samples.shift();
  }
  drawCharts();
  const total = counts => Object.values(counts).reduce((a, b) => a + b, 0);
  const writer = status.snapshotWriter;
  $('totals').textContent = `Since this instance started: ${status.counts.eventsFolded} events folded, `
    + `${total(status.counts.snapshots)} snapshots, ${total(status.counts.deadLetters)} dead letters. `
    + (writer ? `Snapshot writer ${writer.alive ? 'alive' : 'FAILING'}.` : 'No snapshot store configured.');

  fillTable($('instances'), status.instances.map(member => el('tr', { class: member.self ? 'self' : '' },
    el('td', {}, member.self ? `${member.instance} (this one)`
      : el('a', { href: `http://${member.instance}/`, target: '_blank', rel: 'noopener' }, member.instance)),
    el('td', {}, partitionsText(member.active)),
    el('td', {}, partitionsText(member.standby)))), 'none known while Kafka Streams is not running');

  fillTable($('tasks'), status.tasks.map(task => el('tr', {},
    el('td', { class: 'mono' }, task.id),
    el('td', {}, task.role),
    el('td', {}, task.inputs.map(i => `${i.topic}-${i.partition}: ${i.lag ?? '–'}`).join(' · ')),
    el('td', {}, task.storeLag ?? '–'))), 'no tasks here');

  fillTable($('recent-snapshots'), status.recentSnapshots.map(s => el('tr', {},
    el('td', {}, time(s.at)),
    el('td', {}, aggregateButton(s.aggregateId)),
    el('td', {}, s.version),
    el('td', {}, s.reason),
    el('td', {}, size(s.storedBytes)),
    el('td', { class: 'mono' }, s.checksum))), 'none yet');

  fillTable($('recent-dead-letters'), status.recentDeadLetters.map(d => el('tr', {},
    el('td', {}, time(d.at)),
    el('td', { class: 'mono' }, d.key ?? '(no key)'),
    el('td', {}, d.reason),
    el('td', { class: 'error' }, d.error ?? ''),
    el('td', { class: 'mono' }, d.source ?? ''))), 'none yet');
}

function aggregateButton(aggregateId) {
  const button = el('button', { type: 'button', class: 'link' }, aggregateId);
  button.addEventListener('click', () => {
    $('lookup-id').value = aggregateId;
    lookUp(aggregateId);
  });
  return button;
}

async function poll() {
  try {
    const answer = await request('/console/status');
    if (answer.status === 200) {
      showStatus(answer.body);
    } else {
      $('state').textContent = reason(answer);
    }
  } catch (e) {
    $('state').textContent = 'unreachable';
    $('state').className = 'badge bad';
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// ---- aggregate lookup ----

function fact(name, value) {
  return [el('dt', {}, name), el('dd', {}, value)];
}

/** Looks an aggregate up and shows it; says so when the server cannot be reached. */
function lookUp(aggregateId) {
  showAggregate(aggregateId).catch(e => say('lookup-message', `Cannot reach the server: ${e.message}`, false));
}

async function showAggregate(aggregateId) {
  const path = '/aggregates/' + encodeURIComponent(aggregateId);
  say('lookup-message', `Looking up ${aggregateId}…`);
  const current = await request(path);
  if (current.status !== 200) {
    $('aggregate').hidden = true;
    shownAggregate = null;
    say('lookup-message', current.status === 404
      ? `Not found: no aggregate '${aggregateId}'. Nothing has been folded for that id.`
      : `Cannot look up '${aggregateId}' (${current.status}): ${reason(current)}`, false);
    return;
  }
  const aggregate = current.body;
  shownAggregate = aggregate.aggregateId;
  const servedBy = current.headers.get('X-Snapshotter-Served-By');
  const replica = current.headers.get('X-Snapshotter-Replica');
  $('aggregate-facts').replaceChildren(
    ...fact('aggregate', `${aggregate.aggregateId} (${aggregate.aggregateType})`),
    ...fact('version', aggregate.version),
    ...fact('events since the last snapshot', aggregate.eventsSinceSnapshot),
    ...fact('last snapshot version', aggregate.lastSnapshotVersion || 'none yet'),
    ...fact('last event', `${aggregate.lastEventId} at ${aggregate.lastEventTimestamp}`),
    ...fact('served by', servedBy ? `${servedBy} (${replica} copy, ${current.headers.get('X-Snapshotter-Lag')} behind)` : '?'),
    ...fact('parked', aggregate.parked ? 'yes (below)' : 'no'));
  const parked = $('aggregate-parked');
  parked.hidden = !aggregate.parked;
  if (aggregate.parked) {
    const p = aggregate.parked;
    parked.textContent = `Parked at sequence ${p.sequence} since ${p.parkedAt}: ${p.reason}: ${p.error}. `
      + `${p.eventsHeld} later events wait in the dead-letter topic. Once fixed, re-drive with: ${p.redrive}`;
  }
  $('aggregate-state').textContent = JSON.stringify(aggregate.state, null, 2);
  $('aggregate-json').href = path;
  $('history-json').href = path + '/snapshots';
  $('aggregate').hidden = false;
  say('lookup-message', `${aggregate.aggregateId}: version ${aggregate.version}`, true);
  await showHistory(path);
}

async function showHistory(path) {
  const history = await request(path + '/snapshots');
  if (history.status !== 200) {
    fillTable($('snapshot-history'), [], 'no history');
    say('history-message', `Snapshot history unavailable (${history.status}): ${reason(history)}`, false);
    return;
  }
  const rows = history.body.snapshots.map(s => el('tr', {},
    el('td', {}, el('a', { href: `${path}/snapshots/${s.version}`, target: '_blank', rel: 'noopener' }, s.version)),
    el('td', {}, s.reason),
    el('td', {}, s.snapshotTimestamp),
    el('td', {}, size(s.storedBytes)),
    el('td', {}, s.compression),
    el('td', { class: 'mono' }, s.checksum),
    el('td', {}, s.createdBy)));
  history.body.corrupt.forEach(c => rows.push(el('tr', { class: 'message-bad' },
    el('td', {}, c.version), el('td', { colspan: 6 }, `corrupt: ${c.problem}`))));
  fillTable($('snapshot-history'), rows, 'no snapshots yet');
  say('history-message', history.body.next ? 'The newest 20; older ones in the JSON (next page).' : '');
}

// ---- admin ----

/**
 * Calls an admin endpoint with the token typed in. Without one nothing is sent: the action is
 * refused here, as the server would refuse it.
 */
function admin(method, path, what, describe) {
  const token = $('admin-token').value.trim();
  if (!token) {
    say('admin-message', `Refused: ${what} needs the admin token. Type it in above; nothing was sent.`, false);
    return;
  }
  callAdmin(method, path, token, what, describe)
    .catch(e => say('admin-message', `Cannot reach the server: ${e.message}`, false));
}

async function callAdmin(method, path, token, what, describe) {
  const answer = await request(path, method, { Authorization: 'Bearer ' + token, 'X-Request-By': 'web console' });
  if (answer.ok) {
    say('admin-message', `${what}: ${describe(answer.body)}`, true);
  } else {
    say('admin-message', `Refused by the server (${answer.status}): ${reason(answer)}`, false);
  }
}

function sweepText(sweep) {
  const counts = sweep.status === 'done'
    ? `, ${sweep.snapshotsScanned} snapshots scanned, ${sweep.snapshotsDeleted} deleted` : '';
  return `${sweep.status}${sweep.startedAt ? ' (started ' + time(sweep.startedAt) + ')' : ''}${counts}`
    + (sweep.error ? ': ' + sweep.error : '');
}

function forceSnapshot() {
  if (!shownAggregate) {
    say('admin-message', 'Look an aggregate up first: the snapshot is of the one shown.', false);
    return;
  }
  admin('POST', '/admin/snapshots/' + encodeURIComponent(shownAggregate), `A snapshot of ${shownAggregate}`,
    body => `requested at version ${body.version} (request ${body.requestId}); look it up again to see it in the history`);
}

// ---- start ----

document.addEventListener('DOMContentLoaded', () => {
  charts.events = new Chart($('chart-events'), '/s');
  charts.snapshots = new Chart($('chart-snapshots'), '/s');
  charts.deadLetters = new Chart($('chart-dead-letters'), '/s');
  charts.writerLag = new Chart($('chart-writer-lag'), '');
  $('lookup').addEventListener('submit', event => {
    event.preventDefault();
    const aggregateId = $('lookup-id').value.trim();
    if (aggregateId) {
      lookUp(aggregateId);
    }
  });
  $('admin').addEventListener('submit', event => event.preventDefault());
  $('admin-forget').addEventListener('click', () => {
    $('admin-token').value = '';
    say('admin-message', 'Token forgotten.');
  });
  $('admin-snapshot').addEventListener('click', forceSnapshot);
  $('admin-cleanup').addEventListener('click', () => admin('POST', '/admin/snapshots/cleanup', 'The retention cleanup',
    body => `started, ${sweepText(body)}; ask for its status to see the counts`));
  $('admin-cleanup-status').addEventListener('click', () => admin('GET', '/admin/snapshots/cleanup',
    'The retention cleanup', sweepText));
  poll();
});
