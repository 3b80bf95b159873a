// Marks each resource of the page as loaded.
const mark = (id, text) => {
  const span = document.querySelector(`#${id} span`);
  span.textContent = text;
  span.className = 'ok';
};

mark('js-check', 'ran');

const img = document.querySelector('header img');
if (img.complete && img.naturalWidth) mark('img-check', 'loaded');
else img.addEventListener('load', () => mark('img-check', 'loaded'));

fetch('data.json')
  .then((r) => r.json())
  .then((d) => mark('data-check', `fetched: ${d.message}`))
  .catch((e) => { document.querySelector('#data-check span').textContent = `failed: ${e.message}`; });

const nav = performance.getEntriesByType('navigation')[0];
if (nav && nav.nextHopProtocol) {
  document.getElementById('protocol').textContent = `This page came over ${nav.nextHopProtocol === 'h2' ? 'HTTP/2 (h2)' : nav.nextHopProtocol}.`;
}
