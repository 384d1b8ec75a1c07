/**
 * @module next-crm/lib/toast_message
 * What a server action tells the person who clicked: one or more toasts, shown in order by `components/action_toasts`.
 */

/** One toast: its tone picks the colour and icon. */
export interface ToastMessage {
  tone: 'success' | 'info' | 'warning' | 'error';
  title: string;
  description?: string;
}

/** A server action's answer: the toasts to show. */
export interface ActionResult {
  toasts: ToastMessage[];
}

/** An action's answer with one toast. */
export function toast(tone: ToastMessage['tone'], title: string, description?: string): ActionResult {
  return { toasts: [{ tone, title, description }] };
}

/** The message of anything thrown, for an error toast (the engine's messages never carry a token). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
