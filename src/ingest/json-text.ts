// JSON bodies as vendors send them. Some send integers beyond 2^53 (Opsgenie's nanosecond
// `updatedAt`), which JSON.parse silently rounds; those are read as digit strings instead.

const LONG_DIGITS = /\d{16,}/;

/** Parses JSON, keeping integers that do not fit a double exactly as strings of digits. */
export function parseJsonText(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return JSON.parse(quoteUnsafeIntegers(text));
}

function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(start, i)}"${token}"`;
        start = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return out + text.slice(start);
}
