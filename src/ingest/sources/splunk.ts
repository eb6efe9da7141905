// Splunk's webhook alert action: `{sid, search_name, app, owner, results_link, result}` where
// `result` is the first row of the alert's search. One signal per triggered alert (its sid).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, titleFrom } from '../payload.ts';

export const splunk: SourceAdapter = {
  name: 'splunk',
  title: 'Splunk alert webhook',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const sid = text(payload.sid, 'sid');
    const searchName = text(payload.search_name, 'search_name');
    const result = optionalObject(payload.result) ?? {};
    const link = optionalText(payload.results_link);
    const message = firstText(result.message, result.msg, result._raw, result.error);
    return {
      status: 'records',
      records: [
        signalRecord({
          source: 'splunk',
          external_id: sid,
          kind: 'log',
          url: link,
          occurred_at: optionalTime(result._time) ?? input.receivedAt,
          title: titleFrom(searchName),
          body: message,
          severity: severityOf(firstText(result.severity, result.level, result.log_level)),
          service: firstText(result.service, result.service_name, result.app, result.sourcetype, payload.app),
          environment: firstText(result.environment, result.env),
          labels: stringLabels({
            app: payload.app,
            owner: payload.owner,
            host: result.host,
            sourcetype: result.sourcetype,
            count: result.count,
          }),
          links: uniqueLinks(link ? linksOfUrl(link) : [], mentionsIn([message])),
          raw: payload,
        }),
      ],
    };
  },
};
