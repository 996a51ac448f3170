// Reading the subscriptions table, which renders only the rows in view: a test that needs every
// row scrolls through the table as a user would and collects the rows it passes.

/** Waits until the page has drawn two frames (the table follows a scroll in the next one). */
export const frames = (page) => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));

/**
 * Every row of `table.subscriptions` as the texts of its cells, keyed by the row's name (its
 * first cell), read while scrolling from the top to the bottom. Fails unless the rows read are
 * as many as the table says it holds (aria-rowcount, less the header row).
 */
export async function everyRow(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await frames(page);
  const rows = {};
  for (;;) {
    const seen = await page.$$eval('table.subscriptions tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td:not(.select)')].map((c) => c.textContent.trim())));
    for (const cells of seen) rows[cells[0]] = cells;
    const moved = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, window.innerHeight / 2);
      return window.scrollY !== before;
    });
    if (!moved) break;
    await frames(page);
  }
  const count = Number(await page.getAttribute('table.subscriptions', 'aria-rowcount')) - 1;
  if (Object.keys(rows).length !== count) {
    throw new Error(`read ${Object.keys(rows).length} rows while scrolling; the table holds ${count}`);
  }
  return rows;
}
