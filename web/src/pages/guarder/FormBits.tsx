// Labelled inputs for the rule editor: each shows its own problems (the editor's checks and the
// daemon's fields[]) under it, tied to the input with aria-describedby.
import type { ComponentChildren } from 'preact';
import type { FormKey, RuleForm } from '../../lib/guarder/form';

export interface FieldApi {
  form: RuleForm;
  /** messages to show under each input */
  errors: (k: FormKey) => string[];
  set: <K extends FormKey>(k: K, v: RuleForm[K]) => void;
  touch: (k: FormKey) => void;
}

interface FieldProps {
  f: FieldApi;
  k: FormKey;
  label: string;
  hint?: string;
  wide?: boolean;
  children: (p: { id: string; invalid: boolean; describedBy: string | undefined }) => ComponentChildren;
}

export function Field({ f, k, label, hint, wide = false, children }: FieldProps) {
  const id = `rf-${k}`;
  const errs = f.errors(k);
  const describedBy = errs.length > 0 ? `${id}-err` : hint ? `${id}-hint` : undefined;
  return (
    <div class={`gr-field${wide ? ' gr-field--wide' : ''}${errs.length > 0 ? ' is-invalid' : ''}`}>
      <label class="gr-field__label" for={id}>
        {label}
      </label>
      {children({ id, invalid: errs.length > 0, describedBy })}
      {errs.length > 0 ? (
        <p class="gr-field__error" id={`${id}-err`} data-testid={`error-${k}`}>
          {errs.join(' · ')}
        </p>
      ) : (
        hint && (
          <p class="gr-field__hint" id={`${id}-hint`}>
            {hint}
          </p>
        )
      )}
    </div>
  );
}

type TextKey = { [K in FormKey]: RuleForm[K] extends string ? K : never }[FormKey];

interface TextProps {
  f: FieldApi;
  k: TextKey;
  label: string;
  placeholder?: string;
  hint?: string;
  wide?: boolean;
  list?: string;
  type?: 'text' | 'datetime-local';
  disabled?: boolean;
}

export function TextField({ f, k, label, placeholder, hint, wide, list, type = 'text', disabled = false }: TextProps) {
  return (
    <Field f={f} k={k} label={label} hint={hint} wide={wide}>
      {({ id, invalid, describedBy }) => (
        <input
          id={id}
          class="input mono"
          type={type}
          step={type === 'datetime-local' ? 1 : undefined}
          value={f.form[k] as string}
          placeholder={placeholder}
          list={list}
          disabled={disabled}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={describedBy}
          onInput={(e) => f.set(k, (e.currentTarget as HTMLInputElement).value as RuleForm[typeof k])}
          onBlur={() => f.touch(k)}
          data-testid={id}
        />
      )}
    </Field>
  );
}

interface SelectProps {
  f: FieldApi;
  k: TextKey;
  label: string;
  options: readonly (string | [string, string])[];
  disabled?: boolean;
  hint?: string;
}

export function SelectField({ f, k, label, options, disabled = false, hint }: SelectProps) {
  return (
    <Field f={f} k={k} label={label} hint={hint}>
      {({ id, invalid, describedBy }) => (
        <select
          id={id}
          class="input"
          value={f.form[k] as string}
          disabled={disabled}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={describedBy}
          onChange={(e) => {
            f.set(k, (e.currentTarget as HTMLSelectElement).value as RuleForm[typeof k]);
            f.touch(k);
          }}
          data-testid={id}
        >
          {options.map((o) => {
            const [value, text] = typeof o === 'string' ? [o, o] : o;
            return (
              <option key={value} value={value}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

type BoolKey = { [K in FormKey]: RuleForm[K] extends boolean ? K : never }[FormKey];

export function CheckField({ f, k, label, hint }: { f: FieldApi; k: BoolKey; label: string; hint?: string }) {
  const id = `rf-${k}`;
  const errs = f.errors(k);
  return (
    <div class="gr-field gr-field--check">
      <label class="gr-check" title={hint}>
        <input id={id} type="checkbox" class="gr-cb" checked={f.form[k]} onChange={(e) => f.set(k, (e.currentTarget as HTMLInputElement).checked)} data-testid={id} />
        <span>{label}</span>
      </label>
      {errs.length > 0 && (
        <p class="gr-field__error" data-testid={`error-${k}`}>
          {errs.join(' · ')}
        </p>
      )}
    </div>
  );
}
