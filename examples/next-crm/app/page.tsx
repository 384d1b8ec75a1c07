export default function Home() {
  return (
    <main>
      <h1>Next CRM</h1>
      <p>
        A CRM that keeps Pipedrive in step through <code>pipedrive-sync</code>. Try <a href="/api/engine">/api/engine</a>.
      </p>
    </main>
  );
}
