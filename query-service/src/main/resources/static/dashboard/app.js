// The built-in live dashboard of query-service: sign in with an API key, choose a view, a key, a
// granularity and a range; a chart of the key's series and the top keys refresh every 2 s, each
// with its provenance, and a strip shows how fresh the whole system is.
import {ProblemAnswer, QueryApi, SignInNeeded} from './api.js';
import {SeriesChart} from './chart.js';
import {MAX_SERIES_BUCKETS, bucketRange, duration, iso, topRange, utc} from './time.js';

const REFRESH_MS = 2000;
const TOP_LIMIT = 10;
const KEY_SUGGESTIONS = 50;
const STORED_KEY = 'lambda.dashboard.apiKey';
/** A speed layer further behind than this is shown as lagging. */
const SPEED_LAG_WARNING_SECONDS = 60;

const $ = id => document.getElementById(id);
const numbers = new Intl.NumberFormat(undefined, {maximumFractionDigits: 3});
const formatValue = v => numbers.format(v);

const state = {
  api: null,
  views: [],
  live: true,
  timer: null,
  generation: 0, // bumped when the selection changes: answers to an older selection are dropped
  key: '', // the key shown; the input may hold one still being typed
  keyChosen: false, // until someone types or picks a key (or clears it), the view's top key is shown
};

const chart = new SeriesChart($('series-chart'), $('series-plot'), $('series-table').tBodies[0], formatValue);

// ---- sign-in ------------------------------------------------------------------------------------

function showSignIn(message) {
  stopRefreshing();
  state.api = null;
  sessionStorage.removeItem(STORED_KEY);
  $('dashboard').hidden = true;
  $('session-actions').hidden = true;
  $('sign-in-panel').hidden = false;
  $('sign-in-message').textContent = message || '';
  $('api-key').value = '';
  $('api-key').focus();
}

function refusedMessage(error) {
  return error.status === 403
    ? `This key may not read the views (403 Forbidden): it needs scope "read". ${error.message || ''}`.trim()
    : 'That API key was not accepted (401 Unauthorized). Check it and sign in again.';
}

async function signIn(apiKey) {
  const api = new QueryApi(apiKey);
  try {
    state.views = await api.views(); // also proves the key: a wrong one is refused here
  } catch (error) {
    if (error instanceof SignInNeeded) {
      showSignIn(refusedMessage(error));
      return;
    }
    showSignIn(`The service did not answer (${error.message}). Try again in a moment.`);
    return;
  }
  state.api = api;
  sessionStorage.setItem(STORED_KEY, apiKey);
  $('sign-in-message').textContent = '';
  $('sign-in-panel').hidden = true;
  $('dashboard').hidden = false;
  $('session-actions').hidden = false;
  fillViews();
  applySelection(readSelection());
  startRefreshing();
}

$('sign-in').addEventListener('submit', event => {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (key) {
    signIn(key);
  }
});

$('sign-out').addEventListener('click', () => showSignIn('Signed out.'));

/** Any request refused for the key ends the session: back to the sign-in, saying why. */
function handleFailure(error, errorElement) {
  if (error instanceof SignInNeeded) {
    showSignIn(refusedMessage(error));
    return true;
  }
  if (errorElement) {
    const status = error instanceof ProblemAnswer ? ` (${error.status})` : '';
    setText(errorElement, `No answer${status}: ${error.message}`);
    errorElement.hidden = false;
  }
  return false;
}

// ---- selection ----------------------------------------------------------------------------------

function currentView() {
  return state.views.find(v => v.name === $('view').value) || state.views[0];
}

function fillViews() {
  $('view').replaceChildren(...state.views.map(v => new Option(v.name, v.name)));
}

/** The selection lives in the address (#view=…&key=…): a reload or a shared link shows the same. */
function readSelection() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return {
    view: hash.get('view'),
    key: hash.get('key'),
    granularity: hash.get('granularity'),
    range: hash.get('range'),
  };
}

function writeSelection() {
  const hash = new URLSearchParams({
    view: $('view').value,
    key: state.key,
    granularity: $('granularity').value,
    range: $('range').value,
  });
  history.replaceState(null, '', `#${hash}`);
}

function applySelection(selection) {
  if (selection.view && state.views.some(v => v.name === selection.view)) {
    $('view').value = selection.view;
  }
  if (selection.range && [...$('range').options].some(o => o.value === selection.range)) {
    $('range').value = selection.range;
  }
  onViewChanged(selection.granularity, selection.key);
}

function onViewChanged(granularity, key) {
  const view = currentView();
  const groupBy = view.groupBy.join(' | ');
  $('view-description').textContent = `${view.measure} of "${view.eventType}" events`
    + (groupBy ? `, by ${groupBy}` : '');
  $('key-label').textContent = groupBy ? `Key (${groupBy})` : 'Key (this view has none)';
  $('key').disabled = view.groupBy.length === 0;
  $('key').value = key || '';
  state.key = key || '';
  state.keyChosen = Boolean(key);
  $('key-options').replaceChildren();
  fillGranularities(granularity);
  suggestKeys('');
  selectionChanged();
}

/** The view's granularities; those that would give the chart more buckets than the service serves are disabled. */
function fillGranularities(wanted) {
  const select = $('granularity');
  const previous = wanted || select.value;
  const rangeMs = Number($('range').value);
  const options = currentView().granularities.map(g => {
    const option = new Option(g, g);
    const buckets = bucketRange(Date.now(), rangeMs, g).buckets;
    option.disabled = buckets > MAX_SERIES_BUCKETS;
    if (option.disabled) {
      option.textContent = `${g} (range too long)`;
    }
    return option;
  });
  select.replaceChildren(...options);
  const usable = options.filter(o => !o.disabled);
  const keep = usable.find(o => o.value === previous);
  // by default the finest granularity that shows the range in at most a few hundred points
  const readable = usable.find(o => bucketRange(Date.now(), rangeMs, o.value).buckets <= 400);
  select.value = (keep || readable || usable[0] || options[0]).value;
}

let suggestTimer = null;

/** Fills the key input's suggestions from the keys listing, a moment after typing stops. */
function suggestKeys(prefix) {
  clearTimeout(suggestTimer);
  const view = currentView();
  if (!state.api || view.groupBy.length === 0) {
    return;
  }
  suggestTimer = setTimeout(async () => {
    try {
      const answer = await state.api.keys(view.name, prefix, KEY_SUGGESTIONS);
      if (answer.view === currentView().name) {
        $('key-options').replaceChildren(...answer.keys.map(k => new Option(k, k)));
      }
    } catch (error) {
      if (!handleFailure(error, null)) {
        // suggestions are a convenience: a key typed in full still works
        $('key-options').replaceChildren();
      }
    }
  }, 200);
}

$('view').addEventListener('change', () => onViewChanged(null, null));
$('granularity').addEventListener('change', selectionChanged);
$('range').addEventListener('change', () => {
  fillGranularities(null);
  selectionChanged();
});
$('key').addEventListener('input', () => {
  state.keyChosen = true; // the top key no longer fills in what someone is typing
  suggestKeys($('key').value);
});
$('key').addEventListener('change', chooseTypedKey);
$('controls').addEventListener('submit', event => {
  event.preventDefault(); // Enter in the key field: show that key now
  chooseTypedKey();
});

function chooseTypedKey() {
  const typed = $('key').value;
  if (typed !== state.key) {
    chooseKey(typed);
  }
}

function chooseKey(key) {
  $('key').value = key;
  state.key = key;
  state.keyChosen = true;
  selectionChanged();
}

function selectionChanged() {
  state.generation++;
  writeSelection();
  chart.clear();
  for (const id of ['series-partial', 'series-error', 'top-partial', 'top-error']) {
    $(id).hidden = true;
  }
  $('series-total').textContent = '…';
  if (state.api) {
    refreshNow();
  }
}

// ---- refreshing ---------------------------------------------------------------------------------

$('live-toggle').addEventListener('click', () => {
  state.live = !state.live;
  $('live-toggle').setAttribute('aria-pressed', String(state.live));
  $('live-toggle').textContent = state.live ? 'Pause live updates' : 'Resume live updates';
  if (state.live) {
    refreshNow();
  } else {
    clearTimeout(state.timer);
  }
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.api && state.live) {
    refreshNow();
  }
});

function startRefreshing() {
  refreshNow();
}

function stopRefreshing() {
  clearTimeout(state.timer);
  state.generation++;
}

let refreshing = false;
let refreshAgain = false;

/** A round of answers now, then the next one 2 s after it ends; never two rounds at once. */
async function refreshNow() {
  clearTimeout(state.timer);
  if (refreshing) {
    refreshAgain = true; // the round in flight may be for an old selection: one more after it
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      await refreshOnce();
    } while (refreshAgain);
  } finally {
    refreshing = false;
  }
  if (state.api && state.live) {
    state.timer = setTimeout(refreshNow, REFRESH_MS);
  }
}

async function refreshOnce() {
  if (!state.api || document.hidden) {
    return; // a hidden tab skips rounds; becoming visible starts one
  }
  const generation = state.generation;
  const now = Date.now();
  await Promise.all([refreshTop(now, generation), refreshFreshness()]);
  await refreshSeries(now, generation); // after top: an unchosen key follows the top key
  $('updated').textContent = `Updated ${utc(now)}${state.live ? ', every 2 s' : ' (paused)'}`;
}

async function refreshSeries(now, generation) {
  const view = currentView();
  const key = state.key;
  const granularity = $('granularity').value;
  if (view.groupBy.length > 0 && key === '') {
    $('series-caption').textContent = 'Choose a key to see its series.';
    return;
  }
  const range = bucketRange(now, Number($('range').value), granularity);
  try {
    const answer = await state.api.series(view.name, {
      key: view.groupBy.length > 0 ? key : undefined,
      from: iso(range.from), to: iso(range.to), granularity,
    });
    if (generation !== state.generation) {
      return;
    }
    $('series-error').hidden = true;
    const figure = $('series-chart');
    Object.assign(figure.dataset, {view: answer.view, key: answer.key ?? '', granularity: answer.granularity,
      from: answer.from, to: answer.to});
    chart.show(`${answer.view} ${answer.key ?? ''}`.trim(), answer.points);
    $('series-caption').textContent = `${view.measure} of ${answer.key === null || answer.key === undefined
      ? 'all events' : `"${answer.key}"`} per ${answer.granularity}, ${utc(answer.from)} to ${utc(answer.to)}`;
    $('series-total').textContent = answer.total === null ? '— (no data)' : formatValue(answer.total);
    showProvenance('series', answer.provenance, now);
  } catch (error) {
    if (generation === state.generation) {
      handleFailure(error, $('series-error'));
    }
  }
}

async function refreshTop(now, generation) {
  const view = currentView();
  const range = topRange(now, Number($('range').value), view.granularities);
  try {
    const answer = await state.api.top(view.name, {
      from: iso(range.from), to: iso(range.to), granularity: range.granularity, limit: TOP_LIMIT,
    });
    if (generation !== state.generation) {
      return;
    }
    $('top-error').hidden = true;
    $('top-caption').textContent = `Largest ${TOP_LIMIT} by ${view.measure}, ${utc(answer.from)} to `
      + `${utc(answer.to)} (${range.granularity} buckets)`;
    Object.assign($('top-table').dataset, {view: answer.view, granularity: answer.granularity,
      from: answer.from, to: answer.to});
    $('top-table').tBodies[0].replaceChildren(...answer.items.map(topRow));
    showProvenance('top', answer.provenance, now);
    if (!state.keyChosen && view.groupBy.length > 0 && answer.items.length > 0 && state.key === '') {
      state.key = answer.items[0].key;
      $('key').value = state.key;
      writeSelection();
    }
  } catch (error) {
    if (generation === state.generation) {
      handleFailure(error, $('top-error'));
    }
  }
}

function topRow(item, index) {
  const row = document.createElement('tr');
  row.dataset.key = item.key;
  row.dataset.value = JSON.stringify(item.value);
  const rank = document.createElement('td');
  rank.textContent = String(index + 1);
  const key = document.createElement('td');
  const show = document.createElement('button');
  show.type = 'button';
  show.className = 'link';
  show.textContent = item.key;
  show.setAttribute('aria-label', `Show the series of ${item.key}`);
  show.addEventListener('click', () => chooseKey(item.key));
  key.append(show);
  const value = document.createElement('td');
  value.className = 'num';
  value.textContent = formatValue(item.value);
  row.append(rank, key, value);
  return row;
}

/** Where an answer came from; a partial answer is said plainly, with the service's warnings. */
function showProvenance(panel, provenance, now) {
  const speedLag = provenance.speedThrough ? (now - Date.parse(provenance.speedThrough)) / 1000 : null;
  const facts = [
    ['Batch version', provenance.batchVersion ?? 'none published yet (speed layer only)', 'batch-version'],
    ['Batch cut', utc(provenance.batchCut) ?? '—', 'batch-cut'],
    ['Speed through', provenance.speedThrough
      ? `${utc(provenance.speedThrough)} (lag ${duration(speedLag)})` : 'not reported', 'speed-through'],
    ['Complete', provenance.partial ? 'no: partial answer' : 'yes', 'complete'],
  ];
  $(`${panel}-provenance`).replaceChildren(...facts.map(([term, value, testId]) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.testid = `${panel}-${testId}`;
    div.append(dt, dd);
    return div;
  }));
  const banner = $(`${panel}-partial`);
  if (provenance.partial) {
    const warnings = provenance.warnings.length ? provenance.warnings.join('; ') : 'no reason given';
    setText(banner, `Partial answer: a layer could not be read, so these numbers are incomplete. ${warnings}`);
  }
  banner.hidden = !provenance.partial;
}

async function refreshFreshness() {
  try {
    const f = await state.api.freshness();
    setText($('fresh-batch-version'), f.batchVersion ?? 'none published yet');
    setText($('fresh-batch-cut'), utc(f.batchCut) ?? '—');
    setText($('fresh-batch-age'), duration(f.batchAgeSeconds) ?? '—');
    setText($('fresh-speed-through'), utc(f.speedThrough) ?? 'not reported');
    const lagging = f.speedLagSeconds !== null && f.speedLagSeconds > SPEED_LAG_WARNING_SECONDS;
    setText($('fresh-speed-lag'), f.speedLagSeconds === null ? '—'
      : `${duration(f.speedLagSeconds)}${lagging ? ' (behind)' : ''}`);
    $('fresh-speed-lag').classList.toggle('warn', lagging);
    setText($('fresh-checked-at'), utc(f.checkedAt) ?? '—');
    $('fresh-warnings').replaceChildren(...f.warnings.map(w => {
      const item = document.createElement('li');
      item.textContent = w;
      return item;
    }));
  } catch (error) {
    if (!handleFailure(error, null)) {
      $('fresh-warnings').replaceChildren(Object.assign(document.createElement('li'),
        {textContent: `Freshness unavailable: ${error.message}`}));
    }
  }
}

/** Sets text only when it changes, so a live region does not announce the same words every 2 s. */
function setText(element, text) {
  const value = String(text);
  if (element.textContent !== value) {
    element.textContent = value;
  }
}

// ---- start ----------------------------------------------------------------------------------------

const stored = sessionStorage.getItem(STORED_KEY);
if (stored) {
  signIn(stored);
} else {
  showSignIn('');
}
