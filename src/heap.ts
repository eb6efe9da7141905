// How the JavaScript heap is run for the pipeline's long streams of short-lived objects.
import { setFlagsFromString } from 'node:v8';

let steady = false;

/**
 * Turns off V8's allocation-site pretenuring, for every thread of the process (V8's flags are the
 * process's) and from now on: a server that ran a pipeline (the demo route) keeps it. It changes only
 * where V8 first puts new objects, never what is kept. Pretenuring makes an allocation site allocate
 * straight into the old generation once enough of its objects survive a young collection. The
 * pipeline's objects (a page of signals or problems in flight) survive one and then die; on some runs
 * and not others V8 took that for long life and filled the old generation with garbage: the second
 * pass over the large history then spent 2.8-3.5 s in young collections and ran 21-23 full ones,
 * against 0.6-0.8 s and 3-4. Which run one got depended on timing (docs/performance/pipeline.md,
 * seventh round).
 */
export function withoutPretenuring(): void {
  if (steady) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
  steady = true;
}
