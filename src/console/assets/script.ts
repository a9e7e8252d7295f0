/**
 * The console's only script: counts down the time left on active access, and reloads a request's
 * page when the server says its state changed. Every page works without it.
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
  var confirmations = document.querySelectorAll('form[data-confirm]');
  for (var j = 0; j < confirmations.length; j++) {
    confirmations[j].addEventListener('submit', function (event) {
      if (!window.confirm(event.currentTarget.getAttribute('data-confirm'))) event.preventDefault();
    });
  }
})();
`;
