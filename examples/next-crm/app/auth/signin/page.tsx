/**
 * @module next-crm/app/auth/signin/page
 * The sign-in page.
 */

import { SignInForm } from '@/app/components/sign_in_form';

/** Never prerendered: the form posts to a server action. */
export const dynamic = 'force-dynamic';

/** The sign-in page: the form, and the demo credentials. */
export default function SignInPage() {
  return (
    <div className="signin">
      <div className="card">
        <h2>Sign in to Next CRM</h2>
        <p className="sub">The reference CRM of pipedrive-sync. Demo user: test@example.com / password.</p>
        <SignInForm />
      </div>
    </div>
  );
}
