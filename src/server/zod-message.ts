// A request body that fails its schema, as one 400 message naming every field that is wrong.
import type { z } from 'zod';

export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');
}
