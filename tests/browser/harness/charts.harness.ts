// Mounts the notebook's curves chart on the harness page with series a test chooses, so chart
// behaviour (points for one-epoch runs, log axes, zoom, read-out) is checked on a real canvas.
import { mount, unmount } from 'svelte';
import CurvesChart from '../../../src/components/views/CurvesChart.svelte';
import type { Series } from '../../../src/lib/views/curves';

let shown: ReturnType<typeof mount> | null = null;

export function showCurves(series: Series[], title: string): void {
  if (shown) void unmount(shown);
  let target = document.getElementById('chart');
  if (!target) {
    target = document.body.appendChild(document.createElement('div'));
    target.id = 'chart';
    target.style.width = '800px';
  }
  shown = mount(CurvesChart, { target, props: { series, title, yLabel: 'loss' } });
}
