// The series chart: uPlot (from its webjar) drawing one key's buckets. What uPlot holds after each
// setData is written back to the figure as data-points (and to the table under it), so what a
// reader or a test sees is the data the chart draws, not a second copy of the answer.
import uPlot from '../webjars/uplot/dist/uPlot.esm.js';
import {iso, utc} from './time.js';

const HEIGHT = 320;

/**
 * A tick of the time axis in UTC, 24-hour: "14:05", or the date ("11-26") for ticks a day apart and
 * for midnight on an axis that spans days.
 */
function tick(seconds, spacing, spansDays) {
  const text = new Date(seconds * 1000).toISOString();
  const time = text.slice(11, 16);
  return spacing >= 86400 || (spansDays && time === '00:00') ? text.slice(5, 10) : time;
}

function cssColor(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export class SeriesChart {
  /**
   * @param figure the <figure> that carries data-points
   * @param plotElement where uPlot draws
   * @param tableBody the <tbody> of the chart's data table
   * @param formatValue how a value is written in the table and the legend
   */
  constructor(figure, plotElement, tableBody, formatValue) {
    this.figure = figure;
    this.plotElement = plotElement;
    this.tableBody = tableBody;
    this.formatValue = formatValue;
    this.plot = null;
    this.label = null;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(plotElement);
  }

  size() {
    return {width: Math.max(280, this.plotElement.clientWidth), height: HEIGHT};
  }

  /** Draws an answer's points: x in epoch seconds (uPlot's time scale), null left as a gap. */
  show(label, points) {
    const data = [points.map(p => Date.parse(p.start) / 1000), points.map(p => p.value)];
    if (this.plot === null || this.label !== label) {
      this.plot?.destroy();
      this.label = label;
      this.plot = new uPlot(this.options(label), data, this.plotElement);
      this.publish(this.plot); // the setData hook does not fire for the data given at creation
    } else {
      this.plot.setData(data);
    }
  }

  clear() {
    this.plot?.destroy();
    this.plot = null;
    this.label = null;
    this.publish(null);
  }

  options(label) {
    const text = cssColor('--text', '#1b1f24');
    const grid = cssColor('--grid', '#d0d7de');
    const axis = {stroke: text, grid: {stroke: grid, width: 1}, ticks: {stroke: grid, width: 1}};
    return {
      ...this.size(),
      // the buckets are UTC: the axis and the legend say UTC whatever the browser's zone
      tzDate: seconds => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: {x: {time: true}},
      series: [
        {label: 'bucket', value: (u, seconds) => (seconds === null || seconds === undefined ? '—' : utc(seconds * 1000))},
        {
          label,
          stroke: cssColor('--chart-line', '#0b62c4'),
          fill: cssColor('--chart-fill', 'rgba(11, 98, 196, 0.12)'),
          width: 2,
          points: {size: 6},
          spanGaps: false, // an empty min/max bucket is null: no line through it
          value: (u, v) => (v === null || v === undefined ? '—' : this.formatValue(v)),
        },
      ],
      axes: [
        {...axis, values: (u, splits, axisIndex, space, spacing) =>
          splits.map(s => tick(s, spacing, u.scales.x.max - u.scales.x.min > 86400))},
        {...axis, size: 70},
      ],
      legend: {live: true},
      hooks: {setData: [u => this.publish(u)]},
    };
  }

  publish(plot) {
    const [xs = [], ys = []] = plot ? plot.data : [];
    const points = xs.map((x, i) => ({start: iso(x * 1000), value: ys[i] ?? null}));
    this.figure.dataset.points = JSON.stringify(points);
    const rows = points.map(p => {
      const row = document.createElement('tr');
      const start = document.createElement('td');
      start.textContent = utc(p.start);
      const value = document.createElement('td');
      value.className = 'num';
      value.textContent = p.value === null ? '— (no data)' : this.formatValue(p.value);
      row.append(start, value);
      return row;
    });
    this.tableBody.replaceChildren(...rows);
  }
}
