// The contract of a vendor adapter: a pure function from a received payload to records.
// Signature checks happen at the HTTP edge (verify.ts) before an adapter sees the payload.
import type { Config } from '../domain/config.ts';
import type { ImportKind, ImportRecord } from '../domain/records.ts';

export interface AdapterInput {
  /** The parsed body (JSON, or the text of an XML/CSV body for formats that are not JSON). */
  payload: unknown;
  /** Request headers, lower-cased names. Empty for files replayed with `escapement ingest`. */
  headers: Readonly<Record<string, string | undefined>>;
  /** When Escapement received it (ISO UTC); used when a payload carries no time of its own. */
  receivedAt: string;
  config: Config;
}

export type AdapterOutput =
  /**
   * Records to store (may be empty when the payload carries nothing new). With `merge`, a field the
   * record leaves out keeps its stored value (a status event that only knows the finish time);
   * without it the stored record is replaced.
   */
  | { status: 'records'; records: ImportRecord[]; merge?: boolean }
  /** An event kind Escapement does not use: answered 202 and counted as ignored. */
  | { status: 'ignored'; reason: string }
  /** A handshake the vendor expects an answer to (Slack url_verification, SNS subscription). */
  | { status: 'reply'; body: unknown; contentType?: string };

/** A payload the adapter cannot read: answered 400 with the field and what was expected. */
export class PayloadError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: ${expected}`);
  }
}

export interface SourceAdapter {
  /** The source name in URLs and records: `/api/v1/webhooks/<name>`, `signal.source`. */
  name: string;
  /** What a person calls it, for docs and messages. */
  title: string;
  /** The record kinds it can emit. */
  emits: readonly ImportKind[];
  /** Body format on the wire. */
  format: 'json' | 'xml' | 'text';
  toRecords(input: AdapterInput): AdapterOutput;
}
