/**
 * The Settings page (`form#settings`): the disk budget (MB), the upload rate limit (KiB/s), the seeding
 * ratio and days, when to seed (always, only on AC power, only while the app is open), downloads at
 * once and the swarm timeout. Posts to `/settings` (303 back, or the form again with a message under
 * each wrong field); `app-forms.js` is not needed.
 */

import type { Settings } from '../../aggregator/index.js';
import { type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { AppLayout, CsrfField } from '../layout.js';

export const MB = 1_000_000;
export const KIB = 1024;

/** The form's fields, as strings (what was typed, when it is shown again with errors). */
export type SettingsForm = Record<
  'diskBudget' | 'uploadRate' | 'seedRatio' | 'seedDays' | 'seedWhen' | 'concurrency' | 'swarmTimeout',
  string
>;

export function formFromSettings(s: Settings): SettingsForm {
  const round = (n: number) => String(Math.round(n * 100) / 100);
  return {
    diskBudget: round(s.diskBudgetBytes / MB),
    uploadRate: round(s.uploadRateLimit / KIB),
    seedRatio: String(s.seedRatio),
    seedDays: round(s.seedHours / 24),
    seedWhen: s.seedWhen,
    concurrency: String(s.concurrency),
    swarmTimeout: String(s.swarmTimeout),
  };
}

function Field(props: {
  name: keyof SettingsForm;
  label: string;
  hint: string;
  form: SettingsForm;
  errors: Partial<SettingsForm>;
  step?: string;
  min?: string;
}): Html {
  const { name, form, errors } = props;
  const error = errors[name];
  return (
    <p class="field">
      <label for={`settings-${name}`}>{props.label}</label>
      <input
        type="number"
        id={`settings-${name}`}
        name={name}
        value={form[name]}
        min={props.min ?? '0'}
        step={props.step ?? 'any'}
        inputmode="decimal"
        required
        aria-describedby={`settings-${name}-hint${error ? ` settings-${name}-error` : ''}`}
        aria-invalid={error ? 'true' : undefined}
      />
      <small id={`settings-${name}-hint`}>{props.hint}</small>
      {error ? (
        <span class="field-error" id={`settings-${name}-error`}>
          {error}
        </span>
      ) : null}
    </p>
  );
}

export function SettingsPage(props: {
  ctx: AppContext;
  form: SettingsForm;
  errors?: Partial<SettingsForm>;
  saved?: boolean;
}): Html {
  const { ctx, form } = props;
  const errors = props.errors ?? {};
  const when: [Settings['seedWhen'], string][] = [
    ['always', 'Always'],
    ['ac-power', 'Only on AC power (where the system tells; otherwise always)'],
    ['app-open', 'Only while the app is open in a browser'],
  ];
  const common = { form, errors };
  return (
    <AppLayout ctx={ctx} title="Settings" current="/settings">
      <h1>Settings</h1>
      {props.saved ? (
        <p id="settings-saved" class="notice" role="status">
          Saved. The new settings apply now.
        </p>
      ) : null}
      {Object.keys(errors).length > 0 ? (
        <p id="settings-errors" class="field-error" role="alert">
          Some settings are not valid: see the messages below.
        </p>
      ) : null}
      <form class="form" method="post" action="/settings" id="settings" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>Disk and network</legend>
          <Field
            name="diskBudget"
            label="Disk budget (MB)"
            hint="0: no limit. When the episodes take more, the oldest played ones are deleted first."
            {...common}
          />
          <Field
            name="uploadRate"
            label="Upload rate (KiB/s)"
            hint="0: no limit. Over all episodes you share."
            {...common}
          />
          <Field name="concurrency" label="Downloads at once" hint="1 to 20." min="1" step="1" {...common} />
          <Field
            name="swarmTimeout"
            label="Swarm timeout (seconds)"
            hint="How long to wait for peers before downloading over HTTP."
            min="1"
            step="1"
            {...common}
          />
        </fieldset>
        <fieldset>
          <legend>Sharing back</legend>
          <Field
            name="seedRatio"
            label="Seeding ratio"
            hint="Stop sharing an episode once it uploaded this many times its size (0: do not share)."
            {...common}
          />
          <Field
            name="seedDays"
            label="Seeding days"
            hint="... or once it has been shared this many days in all."
            {...common}
          />
          <fieldset>
            <legend>Seed when</legend>
            {when.map(([value, label]) => (
              <label>
                <input type="radio" name="seedWhen" value={value} checked={form.seedWhen === value} /> {label}
              </label>
            ))}
            {errors.seedWhen ? <span class="field-error">{errors.seedWhen}</span> : null}
          </fieldset>
        </fieldset>
        <button type="submit">Save settings</button>
      </form>
    </AppLayout>
  );
}
