// What the project workspace shows, worked out from the API's answer: the
// procedure's stages in order, who of the reader's organisations may act,
// the approvals of a version, a contribution as a phrase, and the name of
// the signed pact's file. No requests here (see projects/pact.ts).
import type { ProjectProcedure, ProjectStage, ProjectWorkspaceFragment } from '../../generated/graphql/graphql';

export type Workspace = ProjectWorkspaceFragment;

/** The stages of each procedure, in order (as the server's ProjectStage::sequence). */
export const STAGES: Record<ProjectProcedure, readonly ProjectStage[]> = {
  PATTO_COLLABORAZIONE: ['PROPOSAL', 'REVIEW', 'CODESIGN_TABLE', 'SIGNED', 'ACTIVE', 'REPORTING', 'CLOSED'],
  COPROGETTAZIONE: [
    'PUBLIC_NOTICE',
    'APPLICATIONS',
    'ADMISSION_CHECK',
    'EVALUATION',
    'CODESIGN_TABLE',
    'FINAL_PROJECT',
    'AGREEMENT',
    'DELIVERY',
    'REPORTING',
    'CLOSED',
  ],
};

export type StepState = 'done' | 'current' | 'todo';

/** Each stage of the project's procedure with where the project stands. */
export function stepper(procedure: ProjectProcedure, stage: ProjectStage): { stage: ProjectStage; state: StepState }[] {
  const stages = STAGES[procedure];
  const at = stages.indexOf(stage);
  return stages.map((s, i) => ({ stage: s, state: i < at ? 'done' : i === at ? 'current' : 'todo' }));
}

type Role = 'ADMIN' | 'MEMBER' | undefined;

/** The partners the reader is an admin of (the organisations they may act for), the lead first. */
export function adminPartners(ws: Workspace, roleIn: (organizationId: string) => Role): Workspace['partners'] {
  return ws.partners.filter((p) => roleIn(p.organizationId) === 'ADMIN');
}

/** The invitations the reader may answer (admin of the invited organisation). */
export function answerableInvitations(ws: Workspace, roleIn: (organizationId: string) => Role): Workspace['invitations'] {
  return ws.invitations.filter((i) => roleIn(i.organizationId) === 'ADMIN');
}

/** The latest version of the agreement, if any was written. */
export function latestVersion(ws: Workspace): Workspace['agreement']['versions'][number] | undefined {
  const versions = ws.agreement.versions;
  return versions.length ? versions.reduce((a, b) => (b.number > a.number ? b : a)) : undefined;
}

/** Each partner and its approval of `version`, if it gave one. */
export function approvalsOf(ws: Workspace, version: number) {
  return ws.partners.map((partner) => ({
    partner,
    approval: ws.agreement.approvals.find((a) => a.organizationId === partner.organizationId && a.version === version),
  }));
}

/** Whether the agreement is signed (frozen). */
export function isSigned(ws: Workspace): boolean {
  return ws.agreement.signedVersion != null;
}

/** Contributions are recorded and the text agreed until the pact is signed. */
export function isDrafting(ws: Workspace): boolean {
  return !isSigned(ws) && ws.stage !== 'CLOSED';
}

/** Euro for people: `1.250,50 €` in Italian, `€1,250.50` in English (thousands always grouped, as people write them). */
export function formatEuro(cents: number, lang: string): string {
  // `useGrouping: 'always'` (ES2023) is missing from the TypeScript library this build targets.
  const options = { style: 'currency', currency: 'EUR', useGrouping: 'always' } as unknown as Intl.NumberFormatOptions;
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'it-IT', options).format(cents / 100);
}

/** How much a contribution brings: `40 ore`, `€ 800,00`, or nothing said. */
export function contributionAmount(
  c: { quantity?: number | null; unit?: string | null; amountCents?: number | null },
  lang: string,
): string {
  const parts: string[] = [];
  if (c.quantity != null) parts.push([new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'it-IT').format(c.quantity), c.unit].filter(Boolean).join(' '));
  if (c.amountCents != null) parts.push(formatEuro(c.amountCents, lang));
  return parts.join(' · ');
}

/** The contributions grouped by partner, in the partners' order; withdrawn ones last. */
export function contributionsByPartner(ws: Workspace) {
  return ws.partners.map((partner) => ({
    partner,
    contributions: ws.contributions
      .filter((c) => c.organizationId === partner.organizationId)
      .sort((a, b) => Number(a.status === 'WITHDRAWN') - Number(b.status === 'WITHDRAWN')),
  }));
}

/** The signed pact's file name: `patto-<title in lower case, dashes>.pdf`. */
export function pactFileName(title: string): string {
  const slug = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `patto-${slug || 'progetto'}.pdf`;
}

/** A number typed by a person (`12`, `7,5`); empty: null; not a number: undefined. */
export function parseNumber(text: string): number | null | undefined {
  const raw = text.trim().replace(',', '.');
  if (raw === '') return null;
  if (!/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}
