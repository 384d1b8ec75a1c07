/**
 * @module next-crm/lib/crm/field_values
 * Pipedrive field values as a person reads them (emails and phones as their addresses, labels as a list, empty as
 * a dash), and the CRM contact column a person field maps to.
 */

/** `value` as readable text. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(fieldText).join(', ');
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('value' in record) return fieldText(record.value);
    if ('name' in record) return fieldText(record.name);
    return Object.entries(record).map(([key, inner]) => `${key}: ${fieldText(inner)}`).join('; ');
  }
  return String(value);
}

/** The field's name as a person reads it. */
export function fieldLabel(field: string): string {
  const labels: Record<string, string> = { name: 'Name', emails: 'Email', phones: 'Phone', org_id: 'Organization', label_ids: 'Labels', owner_id: 'Owner' };
  return labels[field] ?? field.replace(/_/g, ' ');
}

/** The first (primary first) address of an emails or phones list. */
function primaryValue(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const points = value as Array<{ value?: unknown; primary?: unknown }>;
  const primary = points.find((point) => point.primary === true) ?? points[0];
  return typeof primary?.value === 'string' ? primary.value : null;
}

/** The CRM contact columns a Pipedrive person field's value sets: `{name}`, `{email}`, `{phone}`, or nothing. */
export function contactColumnsOf(field: string, value: unknown): { name?: string; email?: string | null; phone?: string | null } {
  if (field === 'name' && typeof value === 'string' && value.trim()) return { name: value };
  if (field === 'emails') return { email: primaryValue(value) };
  if (field === 'phones') return { phone: primaryValue(value) };
  return {};
}
