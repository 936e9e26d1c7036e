// Scrutiny (placeholder until the scrutiny issue lands): who voted and when, never how.
import { $, api, el, errorText, shortTime, t } from './common.js';

const electionId = document.body.dataset.election;

async function main() {
  try {
    const { voters } = await api(`/api/v1/elections/${encodeURIComponent(electionId)}/voted`);
    $('#voted-count').textContent = t('scrutiny.count', { count: voters.length });
    $('#voted-rows').replaceChildren(...voters.map((v) => el('tr', {},
      el('td', { text: v.username }), el('td', { text: shortTime(v.first_cast_at) }),
      el('td', { text: shortTime(v.last_cast_at) }))));
  } catch (err) {
    $('#voted-count').textContent = errorText(err);
  }
}

main();
