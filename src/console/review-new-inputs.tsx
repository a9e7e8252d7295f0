import type { Child } from 'hono/jsx';
import type { CampaignField, CampaignFieldErrors } from './review-new-fields.js';

export interface FieldProps {
  readonly name: CampaignField;
  readonly label: string;
  readonly hint?: string;
  readonly errors: CampaignFieldErrors;
}

/** The attributes that tie an input to its label, hint and error. */
export function wiring(props: FieldProps) {
  const error = props.errors[props.name];
  const described = [props.hint ? `${props.name}-hint` : '', error ? `${props.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  return {
    id: `field-${props.name}`,
    name: props.name,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': described || undefined,
  };
}

export function HintAndError(props: FieldProps) {
  const error = props.errors[props.name];
  return (
    <>
      {props.hint ? (
        <span class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {error ? (
        <span class="error" id={`${props.name}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

/** A labelled text input with its hint and, when the server refused it, the reason beside it. */
export function TextField(
  props: FieldProps & { value: string | undefined; placeholder?: string; required?: boolean },
) {
  return (
    <div class="field">
      <label for={`field-${props.name}`}>{props.label}</label>
      <input
        type="text"
        value={props.value ?? ''}
        placeholder={props.placeholder}
        required={props.required}
        maxlength={props.name === 'name' ? 200 : 500}
        {...wiring(props)}
      />
      <HintAndError {...props} />
    </div>
  );
}

export function Check(props: {
  name: string;
  checked: boolean | undefined;
  value?: string;
  children: Child;
}) {
  return (
    <label class="check">
      <input
        type="checkbox"
        name={props.name}
        value={props.value ?? 'yes'}
        checked={props.checked === true}
      />
      <span>{props.children}</span>
    </label>
  );
}
