// Where a posting is: the municipality, typed and picked from Trama's list
// (a datalist, so any browser and screen reader offers the suggestions),
// and, where Trama knows them, one of its neighbourhoods. Then the further
// places, if any: a row of the same fields each, added and removed with
// buttons.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MunicipalitiesDocument, NeighbourhoodsDocument } from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { emptyPlace, MAX_OTHER_PLACES, otherPlaceField, type PlaceValues } from '../forms/posting';
import { Field } from './FormParts';

export default function PlaceFields({
  prefix,
  values,
  onChange,
  errors,
}: {
  prefix: string;
  values: PlaceValues;
  onChange: (place: PlaceValues) => void;
  errors: Partial<Record<'municipalityCode' | 'neighbourhoodId', string>>;
}) {
  const { t } = useTranslation();
  const [options, setOptions] = useState<{ istatCode: string; name: string; provinceCode: string }[]>([]);
  const search = values.municipalityName.trim();
  useEffect(() => {
    if (search.length < 2) return;
    let current = true;
    const timer = window.setTimeout(() => {
      request(MunicipalitiesDocument, { search }).then(
        (data) => current && setOptions(data.municipalities),
        () => undefined,
      );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [search]);
  const neighbourhoods = useQuery(NeighbourhoodsDocument, { municipalityCode: values.municipalityCode }, { skip: !values.municipalityCode });
  const list = values.municipalityCode ? (neighbourhoods.data?.neighbourhoods ?? []) : [];

  function typed(name: string) {
    const label = (m: { name: string; provinceCode: string }) => `${m.name} (${m.provinceCode})`;
    const found = options.find((m) => label(m).toLowerCase() === name.trim().toLowerCase() || m.name.toLowerCase() === name.trim().toLowerCase());
    onChange({
      municipalityName: found ? found.name : name,
      municipalityCode: found ? found.istatCode : '',
      neighbourhoodId: found && found.istatCode === values.municipalityCode ? values.neighbourhoodId : '',
    });
  }

  return (
    <>
      <Field
        id={`${prefix}-municipalityCode`}
        label={t('postingForm.municipality')}
        hint={t('postingForm.municipalityHint')}
        error={errors.municipalityCode ?? (values.municipalityName && !values.municipalityCode ? t('postingForm.municipalityUnknown') : undefined)}
      >
        {(props) => (
          <input
            {...props}
            type="text"
            autoComplete="off"
            list={`${prefix}-municipalities`}
            value={values.municipalityName}
            onChange={(e) => typed(e.target.value)}
          />
        )}
      </Field>
      <datalist id={`${prefix}-municipalities`}>
        {options.map((m) => <option key={m.istatCode} value={`${m.name} (${m.provinceCode})`} />)}
      </datalist>
      {list.length > 0 && (
        <Field id={`${prefix}-neighbourhoodId`} label={t('postingForm.neighbourhood')} error={errors.neighbourhoodId} control="form-select">
          {(props) => (
            <select {...props} value={values.neighbourhoodId} onChange={(e) => onChange({ ...values, neighbourhoodId: e.target.value })}>
              <option value="">{t('postingForm.wholeMunicipality')}</option>
              {list.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
            </select>
          )}
        </Field>
      )}
    </>
  );
}

/**
 * The further places, under the first: a group with its hint, a row of
 * place fields for each (ids `<prefix>-other-<i>-…`, the first further place
 * being "place 2"), a button to remove each and one to add a row, up to the
 * API's limit. A new row takes the focus; a removed one gives it to the add
 * button.
 */
export function OtherPlaces({
  prefix,
  hint,
  rows,
  onChange,
  onRemoved,
  errors,
}: {
  prefix: string;
  hint: string;
  rows: readonly PlaceValues[];
  /** Changes the rows from the latest ones. */
  onChange: (update: (rows: PlaceValues[]) => PlaceValues[]) => void;
  /** Row `index` was removed (its errors go, the next rows' move up). */
  onRemoved?: (index: number) => void;
  errors: Partial<Record<string, string>>;
}) {
  const { t } = useTranslation();
  // Each row's React key, so that a row keeps its suggestions when one above it goes.
  const next = useRef(rows.length);
  const [keys, setKeys] = useState(() => rows.map((_, i) => i));
  const [focus, setFocus] = useState<'add' | number>();
  const addRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focus === 'add') addRef.current?.focus();
    else if (focus !== undefined) document.getElementById(`${prefix}-other-${focus}-municipalityCode`)?.focus();
    setFocus(undefined);
  }, [focus, prefix]);
  const id = `${prefix}-otherPlaces`;
  const full = rows.length >= MAX_OTHER_PLACES;
  const error = errors.otherPlaces;
  const described = [`${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');

  function add() {
    if (full) return;
    setKeys((k) => [...k, next.current++]);
    onChange((r) => [...r, emptyPlace()]);
    setFocus(rows.length);
  }
  function remove(index: number) {
    setKeys((k) => k.filter((_, i) => i !== index));
    onChange((r) => r.filter((_, i) => i !== index));
    onRemoved?.(index);
    setFocus('add');
  }

  return (
    <fieldset id={id} className="mb-4 other-places" aria-describedby={described} tabIndex={-1}>
      <legend>{t('postingForm.otherPlaces')}</legend>
      <p id={`${id}-hint`} className="form-text mt-0">{hint}</p>
      {rows.map((row, i) => (
        <fieldset key={keys[i] ?? `row-${i}`} className="other-place">
          <legend>{t('postingForm.placeNumber', { number: i + 2 })}</legend>
          <PlaceFields
            prefix={`${prefix}-other-${i}`}
            values={row}
            onChange={(place) => onChange((r) => r.map((p, j) => (j === i ? place : p)))}
            errors={{
              municipalityCode: errors[otherPlaceField(i, 'municipalityCode')],
              neighbourhoodId: errors[otherPlaceField(i, 'neighbourhoodId')],
            }}
          />
          <button type="button" className="btn btn-sm btn-outline-danger" aria-label={t('postingForm.removePlaceNamed', { number: i + 2 })} onClick={() => remove(i)}>
            {t('postingForm.removePlace')}
          </button>
        </fieldset>
      ))}
      <button ref={addRef} type="button" className="btn btn-outline-primary" disabled={full} aria-describedby={full ? `${id}-full` : undefined} onClick={add}>
        {t('postingForm.addPlace')}
      </button>
      {full && <p id={`${id}-full`} className="form-text">{t('postingForm.otherPlacesFull')}</p>}
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </fieldset>
  );
}
