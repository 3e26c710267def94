// The AEM demo dashboard: kernel events over Server-Sent Events (GET /events), charts drawn on
// plain canvas, demo actions posted to /actions/*. No external resources.
(function () {
  'use strict';

  var WINDOW = 60;           // seconds of history in the charts
  var MAX_ROWS = 200;        // event rows kept in the list
  var COLORS = { file: '#4fb3ff', timer: '#3fb950', wheel: '#a371f7', user: '#d29922', job: '#f85149' };
  var EXTRA = ['#39c5cf', '#db61a2', '#e3b341', '#8b98a5'];

  var statusEl = document.getElementById('status');
  var eventsEl = document.getElementById('events');

  function colorOf(name, index) {
    return COLORS[name] || EXTRA[index % EXTRA.length];
  }

  function setStatus(state) {
    statusEl.textContent = state;
    statusEl.className = 'status ' + state;
    statusEl.setAttribute('data-state', state);
  }

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function timeOf(iso) {
    var date = new Date(iso);
    return date.toLocaleTimeString([], { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
  }

  function addEvent(event) {
    var row = document.createElement('li');
    row.className = 'event';
    row.setAttribute('data-family', event.family);
    var time = document.createElement('span');
    time.className = 'time';
    time.textContent = timeOf(event.time);
    var family = document.createElement('span');
    family.className = 'family';
    family.style.color = colorOf(event.family, 0);
    family.textContent = event.family;
    var summary = document.createElement('span');
    summary.className = 'summary';
    summary.textContent = event.summary;
    row.appendChild(time);
    row.appendChild(family);
    row.appendChild(summary);
    eventsEl.insertBefore(row, eventsEl.firstChild);
    while (eventsEl.childElementCount > MAX_ROWS) {
      eventsEl.removeChild(eventsEl.lastChild);
    }
  }

  function fillTable(id, rows) {
    var body = document.querySelector('#' + id + ' tbody');
    body.textContent = '';
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (cell) {
        var td = document.createElement('td');
        td.textContent = cell.text;
        if (cell.className) {
          td.className = cell.className;
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function onStats(stats) {
    drawChart('rates', stats.rates, ' /s');
    drawChart('lag', stats.lagHistory, ' µs');
    legend('rates-legend', stats.rates, '/s', 1);
    legend('lag-legend', stats.lagHistory, ' µs', 0);
    fillTable('lag-table', stats.loops.map(function (lag) {
      return [{ text: lag.loop }, { text: lag.lastMicros + ' µs', className: 'num' },
        { text: lag.maxMicros + ' µs', className: 'num' }, { text: String(lag.probes), className: 'num' }];
    }));
    fillTable('streams', stats.streams.map(function (s) {
      return [{ text: s.loop }, { text: s.source }, { text: String(s.delivered), className: 'num' },
        { text: String(s.lost), className: s.lost > 0 ? 'num lost' : 'num' },
        { text: String(s.stalledMillis), className: 'num' }, { text: s.stalled ? 'waiting for demand' : '' }];
    }));
    text('client-delivered', stats.clientDelivered);
    text('client-dropped', stats.clientDropped);
    text('client-buffer', stats.clientBuffer);
  }

  function legend(id, series, unit, digits) {
    var el = document.getElementById(id);
    el.textContent = '';
    Object.keys(series).sort().forEach(function (name, index) {
      var values = series[name];
      if (values.length === 0) {
        return;
      }
      var item = document.createElement('span');
      var swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colorOf(name, index);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(name + ' ' + values[values.length - 1].toFixed(digits) + unit));
      el.appendChild(item);
    });
  }

  function drawChart(id, series, unit) {
    var canvas = document.getElementById(id);
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || canvas.width;
    var height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    var g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    var names = Object.keys(series).sort();
    var max = 1;
    names.forEach(function (name) {
      series[name].forEach(function (v) { max = Math.max(max, v); });
    });
    max = niceCeiling(max);
    var left = 48, right = 8, top = 8, bottom = 18;
    var plotW = width - left - right, plotH = height - top - bottom;
    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#26313c';
    g.fillStyle = '#8b98a5';
    g.lineWidth = 1;
    for (var i = 0; i <= 4; i++) {
      var y = top + plotH - plotH * i / 4;
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(left + plotW, y);
      g.stroke();
      g.fillText(formatNumber(max * i / 4) + unit, 2, y + 4);
    }
    g.fillText('-60 s', left, height - 4);
    g.fillText('now', left + plotW - 22, height - 4);
    names.forEach(function (name, index) {
      var values = series[name];
      g.strokeStyle = colorOf(name, index);
      g.lineWidth = 2;
      g.beginPath();
      values.forEach(function (v, k) {
        var x = left + plotW * (WINDOW - values.length + k) / (WINDOW - 1);
        var yy = top + plotH - plotH * v / max;
        if (k === 0) { g.moveTo(x, yy); } else { g.lineTo(x, yy); }
      });
      g.stroke();
      if (values.length === 1) {
        g.fillStyle = colorOf(name, index);
        g.fillRect(left + plotW - 2, top + plotH - plotH * values[0] / max - 2, 4, 4);
      }
    });
  }

  function niceCeiling(v) {
    var magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (v <= steps[i] * magnitude) {
        return steps[i] * magnitude;
      }
    }
    return 10 * magnitude;
  }

  function formatNumber(v) {
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  }

  function connect() {
    var source = new EventSource('events');
    source.addEventListener('hello', function (message) {
      var hello = JSON.parse(message.data);
      text('inbox', hello.inbox);
      text('client-buffer', hello.clientBuffer);
      var link = document.getElementById('httpd-link');
      if (hello.httpdPort > 0) {
        link.href = location.protocol + '//' + location.hostname + ':' + hello.httpdPort + '/';
        link.textContent = 'port ' + hello.httpdPort;
      } else {
        link.textContent = 'no port (off)';
      }
      setStatus('connected');
    });
    source.addEventListener('kernel', function (message) {
      addEvent(JSON.parse(message.data));
    });
    source.addEventListener('stats', function (message) {
      onStats(JSON.parse(message.data));
    });
    source.onerror = function () {
      // EventSource reconnects by itself; show it meanwhile.
      setStatus(source.readyState === EventSource.CLOSED ? 'disconnected' : 'connecting');
    };
  }

  document.querySelectorAll('button[data-action]').forEach(function (button) {
    button.addEventListener('click', function () {
      var action = button.getAttribute('data-action');
      button.disabled = true;
      fetch('actions/' + action, { method: 'POST' })
        .then(function (response) {
          return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status));
        })
        .then(function (result) { text('action-result', result.action + ': ' + result.detail); })
        .catch(function (error) { text('action-result', action + ' failed: ' + error.message); })
        .then(function () { button.disabled = false; });
    });
  });

  connect();
}());
