'use client';
/**
 * @module next-crm/app/components/sign_in_form
 * The sign-in form: email and password, the error under it.
 */

import { useActionState } from 'react';

import { signInAction, type SignInState } from '@/app/actions/session';

/** The form. */
export function SignInForm() {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  return (
    <form className="form" action={action}>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required data-testid="email-input" />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required data-testid="password-input" />
      </label>
      {state.error ? <div className="error-text" role="alert">{state.error}</div> : null}
      <button type="submit" className="primary" disabled={pending} data-testid="signin-button">
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
