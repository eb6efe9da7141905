// Renders the project's own Markdown docs (headings, paragraphs, lists, tables, code) as React
// elements — text only, never HTML, so nothing in a document can run in the page.
import type { ReactNode } from 'react';

/** `code`, **bold**, *emphasis* and [links](…) inside a line; everything else stays text. */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)]+)\)|\*([^*\s][^*]*)\*/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={m.index}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={m.index}>{m[2]}</strong>);
    else if (m[5] !== undefined) out.push(<em key={m.index}>{m[5]}</em>);
    else if (/^https?:\/\//.test(m[4]!)) out.push(<a key={m.index} href={m[4]} rel="noreferrer noopener">{m[3]}</a>);
    else out.push(<span key={m.index}>{m[3]}</span>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (row: string) => row.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

export function Markdown({ source, headingOffset = 1 }: { source: string; headingOffset?: number }) {
  const lines = source.split('\n');
  const blocks: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const key = blocks.length;
    if (line.startsWith('```')) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      i++;
      blocks.push(<pre key={key}><code>{body.join('\n')}</code></pre>);
    } else if (/^#{1,6} /.test(line)) {
      const level = Math.min(6, line.indexOf(' ') + headingOffset);
      const Tag = `h${level}` as 'h2';
      blocks.push(<Tag key={key}>{inline(line.slice(line.indexOf(' ') + 1))}</Tag>);
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
      const [head, , ...body] = rows;
      blocks.push(
        <div className="scroll" key={key}>
          <table>
            <thead><tr>{cells(head!).map((c, j) => <th scope="col" key={j}>{inline(c)}</th>)}</tr></thead>
            <tbody>{body.map((r, k) => <tr key={k}>{cells(r).map((c, j) => <td key={j}>{inline(c)}</td>)}</tr>)}</tbody>
          </table>
        </div>,
      );
    } else if (/^\s*([-*]|\d+\.) /.test(line)) {
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]|\d+\.) |^\s{2,}\S/.test(lines[i]!); i++) {
        if (/^\s*([-*]|\d+\.) /.test(lines[i]!)) items.push(lines[i]!.replace(/^\s*([-*]|\d+\.) /, ''));
        else items[items.length - 1] += ` ${lines[i]!.trim()}`;
      }
      blocks.push(<ul key={key}>{items.map((t, k) => <li key={k}>{inline(t)}</li>)}</ul>);
    } else if (line.trim() === '') {
      i++;
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6} |```|\||\s*([-*]|\d+\.) )/.test(lines[i]!); i++) para.push(lines[i]!.trim());
      blocks.push(<p key={key}>{inline(para.join(' '))}</p>);
    }
  }
  return <div className="markdown">{blocks}</div>;
}
