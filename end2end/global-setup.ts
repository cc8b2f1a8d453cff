// The server and the tests start together: wait until the portal answers /readyz.
export default async function globalSetup() {
  const base = process.env.INZAGE_E2E_BASE_URL ?? 'http://localhost:3000';
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Inzage did not become ready at ${base}: ${last}`);
}
