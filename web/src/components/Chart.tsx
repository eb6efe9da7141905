// A thin ECharts wrapper: tree-shaken imports, light/dark from the system, resize with the page,
// clicks handed back as (series, index). Every chart also has its numbers as a table (DataTable).
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([BarChart, LineChart, AriaComponent, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const dark = window.matchMedia?.('(prefers-color-scheme: dark)');

export interface ChartClick {
  seriesIndex: number;
  dataIndex: number;
}

/** The chart instance is reachable from its element, for tests that click on a bar. */
export interface ChartElement extends HTMLDivElement {
  escapementChart?: echarts.ECharts;
}

export function Chart({ option, label, height = 320, onClick }: { option: EChartsCoreOption; label: string; height?: number; onClick?: (click: ChartClick) => void }) {
  const ref = useRef<ChartElement>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const el = ref.current!;
    const chart = echarts.init(el, dark?.matches ? 'dark' : undefined, { renderer: 'canvas' });
    el.escapementChart = chart;
    chart.on('click', (params) => {
      const p = params as { seriesIndex?: number; dataIndex?: number };
      if (p.seriesIndex !== undefined && p.dataIndex !== undefined) clickRef.current?.({ seriesIndex: p.seriesIndex, dataIndex: p.dataIndex });
    });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.dispose();
      delete el.escapementChart;
    };
  }, []);

  useEffect(() => {
    ref.current?.escapementChart?.setOption(
      { backgroundColor: 'transparent', aria: { enabled: true, label: { description: label } }, animation: false, ...option },
      { notMerge: true },
    );
  }, [option, label]);

  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} data-chart={label} />;
}
