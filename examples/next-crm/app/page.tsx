/**
 * @module next-crm/app/page
 * The home page: what the app is and how to call its API (every route needs a session, see `lib/session.ts`).
 */

/** The home page. */
export default function Home() {
  return (
    <main>
      <h1>Next CRM</h1>
      <p>
        A CRM that keeps Pipedrive in step through <code>pipedrive-sync</code>. Every API route needs a signed-in user:
        send <code>Authorization: Bearer &lt;session&gt;</code>, a session signed with <code>CRM_SESSION_SECRET</code>{' '}
        (see <code>lib/session.ts</code>), e.g. to <code>GET /api/engine</code>.
      </p>
    </main>
  );
}
