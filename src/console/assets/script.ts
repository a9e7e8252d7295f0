/**
 * The console's only script: counts down the time left on active access, reloads a request's page
 * when the server says its state changed, and fills in an acquisition's progress as the server
 * sends it (reloading once a container ends, to show its result). Every page works without it.
 */
export const consoleScript = `'use strict';
(function () {
  function left(seconds) {
    if (seconds <= 0) return 'ended';
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return (h > 0 ? h + 'h ' : '') + (h > 0 || m > 0 ? m + 'm ' : '') + s + 's left';
  }
  function tick() {
    var clocks = document.querySelectorAll('[data-expires-at]');
    for (var i = 0; i < clocks.length; i++) {
      var at = Date.parse(clocks[i].getAttribute('data-expires-at'));
      if (!isNaN(at)) clocks[i].textContent = left(Math.round((at - Date.now()) / 1000));
    }
  }
  tick();
  setInterval(tick, 1000);
  var live = document.querySelector('[data-events]');
  if (live && window.EventSource) {
    var version = live.getAttribute('data-version');
    var events = new EventSource(live.getAttribute('data-events'));
    events.addEventListener('change', function (event) {
      if (event.data !== version) {
        events.close();
        window.location.reload();
      }
    });
  }
  function bytes(n) {
    if (n >= 1000000) return (n / 1000000).toFixed(1) + ' MB';
    if (n >= 1000) return Math.round(n / 1000) + ' kB';
    return n + ' B';
  }
  var job = document.querySelector('[data-job-events]');
  if (job && window.EventSource) {
    var progress = new EventSource(job.getAttribute('data-job-events'));
    var statusWords = { queued: 'waiting', running: 'running', sealed: 'sealed', failed: 'failed' };
    progress.addEventListener('progress', function (event) {
      var snapshot = JSON.parse(event.data);
      for (var r = 0; r < snapshot.rows.length; r++) {
        var row = job.querySelector('[data-row="' + r + '"]');
        var data = snapshot.rows[r];
        if (!row) continue;
        if (row.getAttribute('data-status') !== data.status && (data.status === 'sealed' || data.status === 'failed')) {
          progress.close();
          window.location.reload();
          return;
        }
        row.setAttribute('data-status', data.status);
        row.querySelector('[data-cell="stage"]').textContent = data.stage;
        row.querySelector('[data-cell="bytes"]').textContent = bytes(data.bytes);
        row.querySelector('[data-cell="items"]').textContent = String(data.items);
        row.querySelector('[data-cell="status"]').textContent = statusWords[data.status] || data.status;
      }
    });
    progress.addEventListener('done', function () {
      progress.close();
      window.location.reload();
    });
  }
  var confirmations = document.querySelectorAll('form[data-confirm]');
  for (var j = 0; j < confirmations.length; j++) {
    confirmations[j].addEventListener('submit', function (event) {
      if (!window.confirm(event.currentTarget.getAttribute('data-confirm'))) event.preventDefault();
    });
  }
})();
`;
