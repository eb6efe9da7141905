// What every route needs: the store and the workspace configuration.
import type { Config } from '../domain/config.ts';
import type { Store } from '../store/connection.ts';

export interface ServerContext {
  store: Store;
  config: Config;
}
