// The step of `escapement pipeline` (see run.ts) that gives pushed and merged changes the production
// deployment that shipped them (change-deployments.ts, stored by store/shipments.ts). It runs once per
// run, before attribution reads the changes, so a problem naming a pull request finds its deployment
// and change lead time counts these changes.
import { deriveShipments } from '../store/shipments.ts';
import type { PipelineStep } from './run.ts';

export const shipmentStep: PipelineStep = {
  name: 'shipments',
  async prepare(ctx) {
    await deriveShipments(ctx.store.db);
    return () => {};
  },
};
