// What the art. 55 pages show, worked out from the API's answer: who may
// act as the public body, which of the reader's organisations may still
// apply, the notice's form and the input the API takes, the earliest
// closing date of a notice, the ranking and the documents each stage
// records. No requests here.
import type {
  PartnerRole,
  ProjectArt55Fragment,
  ProjectDocumentTopic,
  ProjectNoticeInput,
  ProjectStage,
  ProjectWorkspaceFragment,
} from '../../generated/graphql/graphql';

export type Art55 = ProjectWorkspaceFragment & ProjectArt55Fragment;
export type Application = Art55['applications'][number];

type Role = 'ADMIN' | 'MEMBER' | undefined;

/** The least number of days a notice stays open (art. 55 and the DM 72/2021 guidelines). */
export const MIN_OPEN_DAYS = 20;

/** The roles the admission check offers (the lead is the public body). */
export const ADMISSION_ROLES: readonly PartnerRole[] = ['PARTNER', 'SUPPORTER', 'FUNDER'];

/** Whether the reader is an admin of the lead (the public body that runs the procedure). */
export function isOfficer(ws: Art55, roleIn: (organizationId: string) => Role): boolean {
  return roleIn(ws.leadOrganizationId) === 'ADMIN';
}

/** The reader's organisations that may still apply: admin of them, not partners, no application yet. */
export function applicants(
  ws: Art55,
  memberships: readonly { role: string; organization: { id: string; name: string } }[],
): { id: string; name: string }[] {
  return memberships
    .filter((m) => m.role === 'ADMIN')
    .map((m) => m.organization)
    .filter(
      (o) =>
        !ws.partners.some((p) => p.organizationId === o.id) &&
        !ws.applications.some((a) => a.organizationId === o.id),
    );
}

/** Whether an organisation with these roles may be a principal partner. */
export function mayBePrincipal(roles: readonly PartnerRole[]): boolean {
  return roles.includes('PARTNER');
}

/** The notice as its form edits it: numbers as typed. */
export interface NoticeForm {
  purpose: string;
  object: string;
  economicFrame: string;
  duration: string;
  requirements: string;
  criteria: { name: string; maxPoints: string; weight: string }[];
  minOpenDays: string;
  minTotal: string;
}

/** The form for a notice: the stored one, or an empty one with one criterion and 20 days. */
export function noticeForm(notice: Art55['notice']): NoticeForm {
  if (!notice)
    return {
      purpose: '',
      object: '',
      economicFrame: '',
      duration: '',
      requirements: '',
      criteria: [{ name: '', maxPoints: '10', weight: '1' }],
      minOpenDays: String(MIN_OPEN_DAYS),
      minTotal: '',
    };
  return {
    purpose: notice.purpose,
    object: notice.object,
    economicFrame: notice.economicFrame,
    duration: notice.duration,
    requirements: notice.requirements,
    criteria: notice.criteria.map((c) => ({ name: c.name, maxPoints: String(c.maxPoints), weight: String(c.weight) })),
    minOpenDays: String(notice.minOpenDays),
    minTotal: notice.minTotal == null ? '' : String(notice.minTotal),
  };
}

/** A whole number as typed; what is not one goes as 0, so that the API names the field. */
function whole(value: string): number {
  const n = Number(value.trim());
  return Number.isInteger(n) ? n : 0;
}

/** The input the API takes; a blank optional number is left out (its default). */
export function noticeInput(form: NoticeForm): ProjectNoticeInput {
  return {
    purpose: form.purpose,
    object: form.object,
    economicFrame: form.economicFrame,
    duration: form.duration,
    requirements: form.requirements,
    criteria: form.criteria.map((c) => ({ name: c.name, maxPoints: whole(c.maxPoints), weight: whole(c.weight) })),
    minOpenDays: form.minOpenDays.trim() === '' ? null : whole(form.minOpenDays),
    minTotal: form.minTotal.trim() === '' ? null : whole(form.minTotal),
  };
}

/** The fields of the notice form the API may name, criteria included. */
export function noticeFields(criteria: number): string[] {
  const fields = ['purpose', 'object', 'economicFrame', 'duration', 'requirements', 'criteria'];
  for (let i = 0; i < criteria; i++) fields.push(`criteria[${i}].name`, `criteria[${i}].maxPoints`, `criteria[${i}].weight`);
  return [...fields, 'minOpenDays', 'minTotal'];
}

/** The highest total the criteria allow (each maximum times its weight). */
export function highestTotal(criteria: readonly { maxPoints: number; weight: number }[]): number {
  return criteria.reduce((sum, c) => sum + c.maxPoints * c.weight, 0);
}

/** The day a notice published on `from` may close at the earliest: `days` later. */
export function earliestClose(from: Date, days: number): Date {
  const close = new Date(from.getTime());
  close.setDate(close.getDate() + days);
  return close;
}

/** The scored applications, best first (ties share a place, as the API ranks them). */
export function ranking(applications: readonly Application[]): Application[] {
  return applications.filter((a) => a.position != null).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
}

/** What an application's admission says: waiting, admitted in a role, or not admitted. */
export function admissionState(a: Application): 'waiting' | 'admitted' | 'refused' {
  return a.admitted == null ? 'waiting' : a.admitted ? 'admitted' : 'refused';
}

/** The documents the stage records, and whether the public body (not only the lead) writes them. */
export function topicsOf(stage: ProjectStage): ProjectDocumentTopic[] {
  switch (stage) {
    case 'EVALUATION':
      return ['EVALUATION_MINUTES'];
    case 'CODESIGN_TABLE':
      return ['TABLE_MINUTES'];
    case 'FINAL_PROJECT':
      return ['FINAL_PROJECT', 'TABLE_MINUTES'];
    default:
      return [];
  }
}
