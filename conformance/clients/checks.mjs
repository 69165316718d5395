// Shared by the client scripts: each check prints one JSON line {client, check, ok, detail};
// the process exits 1 if any check failed. The Java test (NodeClientsIT) reads the lines.
const results = [];

export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

export async function check(client, name, run) {
  try {
    const detail = await run();
    results.push({ client, check: name, ok: true, detail: detail ?? null });
  } catch (error) {
    results.push({ client, check: name, ok: false, detail: String(error && (error.stack || error.message || error)).slice(0, 2000) });
  }
  console.log(JSON.stringify(results[results.length - 1]));
}

export function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

export function finish() {
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}
