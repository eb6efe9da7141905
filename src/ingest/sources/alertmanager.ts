// Prometheus Alertmanager webhook (version 4): one signal per alert of the group, keyed by the
// alert's fingerprint (a stable hash of its labels when the sender leaves the fingerprint out).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { mentionsIn, uniqueLinks, linksOfUrl } from '../mentions.ts';
import { array, firstText, type Json, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stableId, stringLabels, time, titleFrom } from '../payload.ts';

/** Options for senders that speak the Alertmanager format (Grafana adds its own URLs). */
export interface AlertGroupOptions {
  source: string;
  /** Extra URLs an alert carries besides generatorURL. */
  urlFields?: readonly string[];
}

/** Reads an Alertmanager-format group: shared by Alertmanager and Grafana alerting. */
export function alertGroupRecords(input: AdapterInput, options: AlertGroupOptions): ImportRecord[] {
  const group = object(input.payload, '(body)');
  const alerts = array(group.alerts, 'alerts');
  return alerts.map((value, index) => {
    const alert = object(value, `alerts[${index}]`);
    const field = (name: string) => `alerts[${index}].${name}`;
    const labels = stringLabels(optionalObject(alert.labels) ?? {});
    const annotations = stringLabels(optionalObject(alert.annotations) ?? {});
    if (Object.keys(labels).length === 0 && !optionalText(alert.fingerprint)) {
      throw new PayloadError(field('labels'), 'expected the alert labels (or a fingerprint) that identify the alert');
    }
    const resolved = (optionalText(alert.status) ?? optionalText(group.status)) === 'resolved';
    const generatorUrl = optionalText(alert.generatorURL);
    const extraUrls = (options.urlFields ?? []).map((f) => optionalText(alert[f])).filter((u): u is string => u !== undefined);
    const titleText = firstText(annotations.summary, annotations.title, labels.alertname, annotations.message, annotations.description);
    const externalId = optionalText(alert.fingerprint) ?? stableId(labels);
    return signalRecord({
      source: options.source,
      external_id: externalId,
      kind: 'alert',
      url: generatorUrl,
      occurred_at: time(alert.startsAt ?? input.receivedAt, field('startsAt')),
      resolved_at: resolved ? (optionalTime(alert.endsAt) ?? input.receivedAt) : undefined,
      status: resolved ? 'resolved' : 'open',
      title: titleFrom(titleText ?? `Alert ${externalId}`),
      body: firstText(annotations.description, annotations.message, annotations.summary !== titleText ? annotations.summary : undefined),
      severity: severityOf(labels.severity ?? labels.priority),
      service: firstText(labels.service, labels.app, labels.application, labels.job),
      environment: firstText(labels.environment, labels.env),
      labels,
      links: uniqueLinks(
        mentionsIn(Object.values(annotations)),
        ...[generatorUrl, ...extraUrls].filter((u): u is string => u !== undefined).map((u) => linksOfUrl(u)),
      ),
      raw: alerts.length === 1 ? group : { ...group, alerts: [alert] } satisfies Json,
    });
  });
}

export const alertmanager: SourceAdapter = {
  name: 'alertmanager',
  title: 'Prometheus Alertmanager',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const group = object(input.payload, '(body)');
    const version = optionalText(group.version);
    if (version !== undefined && version !== '4') throw new PayloadError('version', `expected webhook version "4", got "${version}"`);
    return { status: 'records', records: alertGroupRecords(input, { source: 'alertmanager' }) };
  },
};
