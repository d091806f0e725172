import { describe, expect, it } from 'vitest';
import { ORGANIZATION_KINDS, chosenMunicipality, localProblems, municipalityLabel, needsTaxCode, toOrganizationInput, type OrganizationFormValues } from './organizationForm';

const values: OrganizationFormValues = {
  name: '  Orti in Comune APS ',
  kind: 'APS',
  taxCode: ' 97123450156 ',
  description: 'Orti condivisi',
  website: '',
  seatMunicipalityCode: '015146',
  sectors: ['environment'],
  email: 'info@orti.example.org',
};

describe('organisation registration form', () => {
  it('lists every kind once', () => {
    expect(new Set(ORGANIZATION_KINDS).size).toBe(19);
  });

  it('asks a codice fiscale of everyone but informal groups', () => {
    expect(needsTaxCode('APS')).toBe(true);
    expect(needsTaxCode('INFORMAL_GROUP')).toBe(false);
    expect(localProblems({ ...values, taxCode: '' }, 'Milano (MI)')).toEqual({ taxCode: 'orgRegistration.taxCodeRequired' });
    expect(localProblems({ ...values, kind: 'INFORMAL_GROUP', taxCode: '' }, 'Milano (MI)')).toEqual({});
  });

  it('requires a name and a kind, and a seat from the list', () => {
    expect(localProblems({ ...values, name: ' ', kind: '', seatMunicipalityCode: undefined }, 'Milan')).toEqual({
      name: 'orgRegistration.required',
      kind: 'orgRegistration.required',
      seatMunicipalityCode: 'orgRegistration.seatUnknown',
    });
    expect(localProblems({ ...values, seatMunicipalityCode: undefined }, '')).toEqual({});
  });

  it('turns the values into the API input', () => {
    expect(toOrganizationInput(values)).toEqual({
      name: 'Orti in Comune APS',
      kind: 'APS',
      taxCode: '97123450156',
      description: 'Orti condivisi',
      website: undefined,
      seatMunicipalityCode: '015146',
      sectors: ['environment'],
      contacts: [{ kind: 'EMAIL', value: 'info@orti.example.org', visibility: 'PUBLIC' }],
    });
    expect(toOrganizationInput({ ...values, kind: 'INFORMAL_GROUP', email: '' })).toMatchObject({ taxCode: undefined, contacts: [] });
  });

  it('labels municipalities with their province', () => {
    expect(municipalityLabel({ name: 'Milano', provinceCode: 'MI' })).toBe('Milano (MI)');
  });
});

describe('the seat field', () => {
  const list = [
    { istatCode: '015146', name: 'Milano', provinceCode: 'MI' },
    { istatCode: '015059', name: 'Cassano d\'Adda', provinceCode: 'MI' },
  ];
  it('resolves a suggestion by label or name, any case', () => {
    expect(chosenMunicipality(list, 'Milano (MI)')?.istatCode).toBe('015146');
    expect(chosenMunicipality(list, ' milano ')?.istatCode).toBe('015146');
    expect(chosenMunicipality(list, 'Mila')).toBeUndefined();
    expect(chosenMunicipality(list, '')).toBeUndefined();
  });
});
