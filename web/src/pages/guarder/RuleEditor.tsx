// The rule editor (add and edit) as a modal dialog: every field of the Rule JSON, checked as
// the user types (shown once a field is left or on save), the daemon's fields[] errors next to
// the same inputs, a dry run, and "Save anyway" after a 409 unsafe_rule. Edits send a PATCH
// with only the changed fields.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/client';
import type { GuardApi, GuardRule } from '../../api/guarder';
import { emptyForm, errorsFor, FIELD_PATHS, ruleToForm, unplacedErrors, type FieldProblem, type FormKey, type RuleForm } from '../../lib/guarder/form';
import { mergePatch } from '../../lib/guarder/patch';
import { checkForm } from '../../lib/guarder/validate';
import { DryRunPanel } from './DryRunPanel';
import type { FieldApi } from './FormBits';
import { RuleFormFields, shownKeys } from './RuleFormFields';

export interface EditorTarget {
  /** the stored rule being edited; absent when adding */
  rule?: GuardRule;
  /** the initial form when adding (prefilled from a flow, for instance) */
  form?: RuleForm;
  title?: string;
}

interface Props {
  guard: GuardApi;
  target: EditorTarget;
  onClose: () => void;
  onSaved: (r: GuardRule | null, message: string) => void;
}

/** What an edit sends: the merge patch from the stored rule's JSON to the form's. */
export function editPatch(original: GuardRule, rule: Record<string, unknown>): Record<string, unknown> {
  const base = checkForm(ruleToForm(original), null).rule ?? {};
  const patch = mergePatch(base as Record<string, unknown>, rule);
  delete patch.origin; // fixed at creation
  return patch;
}

export function RuleEditor({ guard, target, onClose, onSaved }: Props) {
  const editing = target.rule !== undefined;
  const [form, setForm] = useState<RuleForm>(() => target.form ?? (target.rule ? ruleToForm(target.rule) : emptyForm()));
  const [touched, setTouched] = useState<Set<FormKey>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldProblem[]>([]);
  const [unsafe, setUnsafe] = useState<FieldProblem[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  const check = useMemo(() => checkForm(form, Date.now()), [form]);
  const visible = (k: FormKey) => submitted || touched.has(k);
  const local = check.errors.filter((p) => Object.entries(FIELD_PATHS).some(([k, paths]) => paths!.includes(p.field) && visible(k as FormKey)));
  const problems = [...local, ...server];

  const f: FieldApi = {
    form,
    errors: (k) => errorsFor(problems, k),
    set: (k, v) => {
      setForm((cur) => ({ ...cur, [k]: v }));
      // The daemon's word on a field no longer holds once it changes; nor does a refusal.
      const paths: string[] = FIELD_PATHS[k] ?? [];
      setServer((s) => s.filter((p) => !paths.includes(p.field)));
      setUnsafe(null);
    },
    touch: (k) => setTouched((t) => (t.has(k) ? t : new Set(t).add(k))),
  };

  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('select, input')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const save = async (force: boolean) => {
    setSubmitted(true);
    setFailure(null);
    if (!check.rule) {
      setTimeout(() => dialog.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setSaving(true);
    try {
      if (target.rule) {
        const patch = editPatch(target.rule, check.rule as unknown as Record<string, unknown>);
        if (Object.keys(patch).length === 0) return onSaved(null, `Rule #${target.rule.id}: nothing changed.`);
        const r = await guard.patch(target.rule.id, patch, force);
        onSaved(r, `Rule #${r.id} saved (${Object.keys(patch).join(', ')}).`);
      } else {
        const r = await guard.create(check.rule, force);
        onSaved(r, `Rule #${r.id} added.`);
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unsafe_rule') setUnsafe(e.fields.length > 0 ? e.fields : [{ field: '', message: e.message }]);
      else if (e instanceof ApiError && e.status === 400 && e.fields.length > 0) setServer(e.fields);
      else setFailure(describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!target.rule) return;
    if (!confirmDelete) return setConfirmDelete(true);
    try {
      await guard.remove(target.rule.id);
      onSaved(null, `Rule #${target.rule.id} deleted.`);
    } catch (e) {
      setFailure(describeError(e));
    }
  };

  const others = unplacedErrors(problems, shownKeys(form));
  const title = target.title ?? (target.rule ? `Edit rule #${target.rule.id}` : 'Add rule');
  return (
    <div class="modal" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal__box" role="dialog" aria-modal="true" aria-labelledby="rule-editor-title" ref={dialog} data-testid="rule-editor">
        <header class="modal__head">
          <h2 id="rule-editor-title">{title}</h2>
          <button type="button" class="btn btn--icon btn--ghost" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <form class="modal__body gr-form" onSubmit={(e) => (e.preventDefault(), void save(false))} noValidate>
          {others.length > 0 && (
            <div class="note note--error" role="alert" data-testid="editor-errors">
              {others.map((p, i) => (
                <div key={i}>
                  {p.field && <code>{p.field}</code>} {p.message}
                </div>
              ))}
            </div>
          )}
          <RuleFormFields f={f} editing={editing} />
          <DryRunPanel guard={guard} rule={check.rule} onInvalid={() => setSubmitted(true)} onServerErrors={setServer} />
          {unsafe && (
            <div class="note note--warn gr-unsafe" role="alert" data-testid="editor-unsafe">
              <strong>The daemon refused this rule for safety:</strong>
              <ul>
                {unsafe.map((p, i) => (
                  <li key={i}>
                    {p.field && <code>{p.field}</code>} {p.message}
                  </li>
                ))}
              </ul>
              <button type="button" class="btn btn--small gr-danger" disabled={saving} onClick={() => void save(true)} data-testid="editor-force">
                Save anyway
              </button>
            </div>
          )}
          {failure && (
            <div class="note note--error" role="alert" data-testid="editor-failure">
              {failure}
            </div>
          )}
          <footer class="modal__foot">
            {target.rule && (
              <button type="button" class="btn btn--small gr-danger" onClick={() => void remove()} data-testid="editor-delete">
                {confirmDelete ? 'Really delete?' : 'Delete rule'}
              </button>
            )}
            <span class="grow" />
            <button type="button" class="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="btn btn--primary" disabled={saving} data-testid="editor-save">
              {saving ? 'Saving…' : target.rule ? 'Save changes' : 'Add rule'}
            </button>
          </footer>
        </form>
      </div>
    </div>
  );
}
