// The idle-timeout clock of every logged-in page (app/src/components/session_timer.rs renders
// its HTML). Without this script the page states the time left when it was made and always
// offers "stay logged in"; with it the clock counts down, and the warning and the button appear
// two minutes before the end. Plain script rather than a WASM island: this is all it does.
(function () {
  var clock = document.querySelector('.session-timer');
  if (!clock) return;
  var left = clock.querySelector('[data-testid="session-time-left"]');
  var status = clock.querySelector('[role="status"]');
  var stay = clock.querySelector('form');
  var warnAt = Number(clock.getAttribute('data-warning-seconds'));
  // Count down to a deadline, not ticks: browsers throttle timers in background tabs.
  var deadline = Date.now() + Number(clock.getAttribute('data-seconds-left')) * 1000;
  var shown = '';
  var timer;
  function say(name) {
    if (shown === name) return;
    shown = name;
    var template = clock.querySelector('template[data-clock="' + name + '"]');
    status.replaceChildren(template ? template.content.cloneNode(true) : '');
  }
  function tick() {
    var s = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    left.textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
    var warn = s > 0 && s <= warnAt;
    stay.hidden = !warn;
    say(s === 0 ? 'ended' : warn ? 'warning' : '');
    // The warning and the end stay in view (the stylesheet pins them to the bottom edge).
    clock.setAttribute('data-state', shown || 'running');
    if (s === 0) {
      clearInterval(timer);
      // The session is over: what the page showed of the citizen goes off the screen.
      var main = document.getElementById('inhoud');
      if (main) main.hidden = true;
      left.parentNode.hidden = true;
    }
  }
  tick();
  clock.setAttribute('data-live', 'true');
  timer = setInterval(tick, 500);
})();
