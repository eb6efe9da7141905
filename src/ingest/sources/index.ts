// Every vendor format Escapement reads, by source name. Adding a source is adding its file here.
import type { SourceAdapter } from '../adapter.ts';
import { alertmanager } from './alertmanager.ts';
import { grafana } from './grafana.ts';
import { pagerduty } from './pagerduty.ts';
import { opsgenie } from './opsgenie.ts';
import { datadog } from './datadog.ts';
import { sentry } from './sentry.ts';
import { cloudwatch } from './cloudwatch.ts';
import { jira } from './jira.ts';
import { jiraCsv } from './jira-csv.ts';
import { zendesk } from './zendesk.ts';
import { freshdesk } from './freshdesk.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { splunk } from './splunk.ts';
import { elastic } from './elastic.ts';
import { generic } from './generic.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { argocd } from './argocd.ts';
import { jenkins } from './jenkins.ts';
import { circleci } from './circleci.ts';
import { deployment } from './deployment.ts';
import { junit } from './junit.ts';
import { testReportJson } from './test-report-json.ts';

const adapters: SourceAdapter[] = [
  // Signals: alerting, incidents, trackers, support, chat, logs.
  alertmanager, grafana, pagerduty, opsgenie, datadog, sentry, cloudwatch, jira, jiraCsv, zendesk, freshdesk, slack, teams, splunk, elastic, generic,
  // Delivery: deployments, changes and test reports (github and gitlab also dispatch their issue events).
  github, gitlab, argocd, jenkins, circleci, deployment, junit, testReportJson,
];

export const SOURCES: ReadonlyMap<string, SourceAdapter> = new Map(adapters.map((a) => [a.name, a]));

export function sourceAdapter(name: string): SourceAdapter | undefined {
  return SOURCES.get(name);
}
