/**
 * The item's declared fields (`src/catalog/item-fields.ts`) on pages: as form inputs, in their
 * declared order with their labels and help, for the publish form (`upload.tsx`) and the edit form
 * (`item-edit.tsx`; `pair` fields share a row, each input keeps what was typed and shows its error),
 * and as the item page's details list (the fields marked `page`; the core ones have their own places).
 */

import {
  fieldText,
  ITEM_FIELDS,
  type ItemFieldSpec,
  type ItemFieldText,
  type ItemFieldValues,
} from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { Field, type FormErrors } from './components.js';

function Input(props: { spec: ItemFieldSpec; values: ItemFieldText; errors?: FormErrors | undefined }): Html {
  const { spec } = props;
  return (
    <Field
      name={spec.name}
      label={spec.form.label}
      value={props.values[spec.name as keyof ItemFieldText]}
      errors={props.errors}
      type={spec.type === 'integer' ? 'number' : undefined}
      multiline={spec.type === 'text' && spec.multiline === true}
      required={spec.required || undefined}
      hint={spec.form.help}
    />
  );
}

/** Every declared field's input. */
export function ItemFieldInputs(props: { values: ItemFieldText; errors?: FormErrors | undefined }): Html {
  const out: Html[] = [];
  const fields: readonly ItemFieldSpec[] = ITEM_FIELDS;
  for (let i = 0; i < fields.length; i++) {
    const spec = fields[i]!;
    const next = fields[i + 1];
    if (spec.form.pair && next?.form.pair) {
      out.push(
        <div class="field-row">
          <Input spec={spec} values={props.values} errors={props.errors} />
          <Input spec={next} values={props.values} errors={props.errors} />
        </div>,
      );
      i++;
    } else out.push(<Input spec={spec} values={props.values} errors={props.errors} />);
  }
  return <>{out}</>;
}

/** The item page's details: each `page` field that has a value, as a term and its value. */
export function ItemFieldDetails(props: { item: ItemFieldValues }): Html | null {
  const shown = (ITEM_FIELDS as readonly ItemFieldSpec[]).filter(
    (f) => f.page && fieldText(props.item, f.name as keyof ItemFieldValues) !== '',
  );
  if (shown.length === 0) return null;
  return (
    <dl class="item-fields" id="item-fields">
      {shown.map((f) => (
        <div data-field={f.name}>
          <dt>{f.form.label}</dt>
          <dd id={`item-${f.name}`}>{fieldText(props.item, f.name as keyof ItemFieldValues)}</dd>
        </div>
      ))}
    </dl>
  );
}
