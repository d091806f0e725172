// Where a posting is: the municipality, typed and picked from Trama's list
// (a datalist, so any browser and screen reader offers the suggestions),
// and, where Trama knows them, one of its neighbourhoods.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MunicipalitiesDocument, NeighbourhoodsDocument } from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import type { PlaceValues } from '../forms/posting';
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
