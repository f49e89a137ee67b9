// Rule files: reading an import file (the export format or a bare array of rules), grouping the
// daemon's import errors by rule ("rules[3].match.src"), and naming export downloads.
import type { Parsed } from './addr';
import type { FieldProblem } from './form';

/** The rules of an import file: `{rules: [...]}` (what export writes) or a bare array. */
export function parseImportFile(text: string): Parsed<unknown[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `the file is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const rules = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (doc as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return { ok: false, error: 'expected {"rules": [...]} (an export file) or an array of rules' };
  if (rules.length === 0) return { ok: false, error: 'the file has no rules' };
  return { ok: true, value: rules };
}

export interface RuleProblems {
  /** index in the file, or null for problems not about one rule */
  index: number | null;
  problems: FieldProblem[];
}

/** Problems grouped by rule index, in file order; "rules[3].match.src" becomes rule 3, "match.src". */
export function groupImportErrors(fields: readonly FieldProblem[]): RuleProblems[] {
  const byIndex = new Map<number | null, FieldProblem[]>();
  for (const f of fields) {
    const m = /^rules\[(\d+)\]\.?(.*)$/.exec(f.field);
    const index = m ? Number(m[1]) : null;
    const field = m ? m[2] || '(rule)' : f.field;
    const list = byIndex.get(index) ?? [];
    list.push({ field, message: f.message });
    byIndex.set(index, list);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a - b))
    .map(([index, problems]) => ({ index, problems }));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "packetscope-guard-rules-20250101-120000.json" in local time. */
export function exportFileName(now: Date): string {
  const d = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const t = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `packetscope-guard-rules-${d}-${t}.json`;
}
