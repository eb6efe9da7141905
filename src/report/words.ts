// The words for each problem type and band: the engineers' vocabulary, and the plain one for readers
// who need the consequence, not the mechanism (board, investment).
import { TYPE_WORDS } from '../metrics/type-words.ts';

const PLAIN: Record<string, [string, string]> = {
  code: ['software fault', 'software faults'],
  infra: ['environment or configuration failure', 'environment or configuration failures'],
  integration: ['failure at a connection to a partner or another service', 'failures at connections to partners or other services'],
  regression: ['feature that broke after a release', 'features that broke after a release'],
  mixed: ['problem with several causes', 'problems with several causes'],
  unclassified: ['problem not yet analysed', 'problems not yet analysed'],
};

export function typeWords(type: string, plain: boolean): [string, string] {
  const words = (plain ? PLAIN : TYPE_WORDS)[type];
  return words ? [words[0], words[1]] : [type, type];
}

export const BAND_WORDS: Record<string, string> = {
  elite: 'elite',
  good: 'good',
  needs_attention: 'needs attention',
  alarm: 'alarm',
  average: 'average',
  solid: 'solid',
  excellent: 'excellent',
};
