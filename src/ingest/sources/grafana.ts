// Grafana alerting webhook contact point: the Alertmanager group format plus Grafana's URLs.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { alertGroupRecords } from './alertmanager.ts';

export const grafana: SourceAdapter = {
  name: 'grafana',
  title: 'Grafana alerting',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    return { status: 'records', records: alertGroupRecords(input, { source: 'grafana', urlFields: ['dashboardURL', 'panelURL', 'imageURL'] }) };
  },
};
