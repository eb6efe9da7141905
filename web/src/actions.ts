// What a person decides from the dashboard, through the review operations of the API.
import { api } from './api.ts';

const ACTOR_KEY = 'escapement.actor';

export function actor(): string {
  return localStorage.getItem(ACTOR_KEY) || 'dashboard';
}

export function setActor(name: string): void {
  localStorage.setItem(ACTOR_KEY, name.trim());
}

export function confirmType(problemId: number, type: string): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/type`, { method: 'POST', body: { type, actor: actor() } });
}

export function confirmRelease(problemId: number, deploymentId: number | null, reason: string): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/release`, { method: 'POST', body: { deployment_id: deploymentId, reason, actor: actor() } });
}

export function addCost(problemId: number, entry: { role: string; hours: number; person?: string; note?: string }): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/cost`, { method: 'POST', body: entry });
}

/** Not an escaped problem: kept and shown, no longer counted. */
export function dismissProblem(problemId: number, reason: string): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/dismiss`, { method: 'POST', body: { reason, actor: actor() } });
}

/** A problem set aside counts after all. */
export function restoreProblem(problemId: number): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/restore`, { method: 'POST', body: { actor: actor() } });
}

export function mergeProblems(problemIds: number[]): Promise<unknown> {
  return api('/api/v1/problems/merge', { method: 'POST', body: { problem_ids: problemIds, actor: actor() } });
}

export function splitProblem(problemId: number, signalIds: number[]): Promise<unknown> {
  return api(`/api/v1/problems/${problemId}/split`, { method: 'POST', body: { signal_ids: signalIds, actor: actor() } });
}
