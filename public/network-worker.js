// The signed-in app's network, off the page's main thread (src/browser/network.rs is the page's end).
//
// A fetch costs the thread that makes it a few tasks (the answer's headers, its body, the
// promises): thousands of ARM requests made from the page kept its main thread busy for
// seconds. Here they cost this worker instead, and the page gets their answers a batch per
// message. The page starts it as a shared worker where the browser has them: a dedicated
// worker's fetches still cost its page's main thread a few tasks each (Chromium reports every
// load to the page's frame), a shared worker's do not. Each page then talks to it through a
// port of its own; a dedicated worker talks through its global scope. The page names the shared
// worker after a hash of this file's bytes (shared_name in network.rs, at compile time): a tab
// of an earlier build keeps the earlier worker, whose messages it speaks, and a tab of this
// build never joins it.
//
// From the page:  {origins: [...]}  the only origins to fetch from, first (a worker served
//                                   without headers has no Content-Security-Policy: the
//                                   page's connect-src does not reach it);
//                 {calls: '[{id, method, url, headers: [[name, value]], body, timeoutMs}]'}
//                                   (one JSON text: the page writes it in one go);
//                 {abort: [id]}     requests the page no longer waits for.
// To the page:    [] first: the worker runs (the page holds its calls until then);
//                 then [{id, status, headers: [name, value, ...], body: ArrayBuffer} | {id, error}]
//                 error: "timeout" or the browser's reason.
'use strict';

// Answers go to the page in batches: an answer waits at most this long for others to join it.
// Each message costs the page's main thread a task, and a burst of answers then comes as one.
// The wait costs no throughput while the browser has requests queued behind its six connections
// per origin (the app keeps eight in flight), and at most this much per round trip otherwise.
const BATCH_MS = 8;

/** Serves one page through `port` (a MessagePort, or a dedicated worker's global scope). */
function serve(port) {
  let origins = [];
  const inFlight = new Map();
  let batch = null;

  const answer = (message, body) => {
    if (!batch) {
      batch = { answers: [], bodies: [] };
      setTimeout(() => {
        const { answers, bodies } = batch;
        batch = null;
        port.postMessage(answers, bodies);
      }, BATCH_MS);
    }
    batch.answers.push(message);
    if (body) batch.bodies.push(body);
  };

  async function run(call) {
    const controller = new AbortController();
    inFlight.set(call.id, controller);
    const timer = setTimeout(() => controller.abort('timeout'), call.timeoutMs);
    try {
      if (!origins.includes(new URL(call.url).origin)) {
        throw new TypeError(`${new URL(call.url).origin} is not an origin of this app's cloud`);
      }
      const response = await fetch(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body === '' ? undefined : call.body,
        mode: 'cors',
        credentials: 'omit',
        // Entra ID and ARM answer these calls without redirects; a 307 or 308 would resend the
        // body (a refresh token, a code) to wherever it points, past the origin check above.
        redirect: 'error',
        signal: controller.signal,
      });
      const body = await response.arrayBuffer();
      const headers = [];
      response.headers.forEach((value, name) => headers.push(name, value));
      answer({ id: call.id, status: response.status, headers, body }, body);
    } catch (e) {
      // Aborted by the page: nobody waits for it any more.
      if (controller.signal.reason === 'timeout') answer({ id: call.id, error: 'timeout' });
      else if (!controller.signal.aborted) answer({ id: call.id, error: String((e && e.message) || e) });
    } finally {
      clearTimeout(timer);
      inFlight.delete(call.id);
    }
  }

  port.onmessage = ({ data }) => {
    if (data.origins) origins = data.origins;
    for (const id of data.abort || []) inFlight.get(id)?.abort();
    if (data.calls) for (const call of JSON.parse(data.calls)) run(call);
  };

  // An empty batch: the worker runs, the page may post its calls.
  port.postMessage([]);
}

if (typeof SharedWorkerGlobalScope !== 'undefined' && self instanceof SharedWorkerGlobalScope) {
  onconnect = ({ ports: [port] }) => serve(port);
} else {
  serve(self);
}
