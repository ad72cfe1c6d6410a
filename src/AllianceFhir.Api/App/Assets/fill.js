// The patient form: renders the Questionnaire embedded in the page with NLM LHC-Forms, and posts the
// QuestionnaireResponse it exports to this page's own URL. The server keeps only the answers (item) and takes
// subject, encounter and questionnaire from the link.
(function () {
  'use strict';

  var container = document.getElementById('form-container');
  var send = document.getElementById('send');
  var status = document.getElementById('form-status');

  function say(text, kind) {
    status.textContent = text;
    status.className = 'form-status' + (kind ? ' ' + kind : '');
  }

  function render() {
    if (!window.LForms || !window.LForms.Util) {
      say('The form could not be loaded. Please reload the page.', 'error');
      return;
    }
    var questionnaire = JSON.parse(document.getElementById('questionnaire-json').textContent);
    container.textContent = '';
    Promise.resolve(window.LForms.Util.addFormToPage(questionnaire, 'form-container', { fhirVersion: 'R4' }))
      .then(function () {
        send.disabled = false;
        document.body.setAttribute('data-form-ready', 'true');
      })
      .catch(function () {
        say('The form could not be shown. Please reload the page.', 'error');
      });
  }

  function submit() {
    var response = window.LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', container);
    send.disabled = true;
    say('Sending your answers…');
    fetch(window.location.pathname, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/fhir+json', 'Accept': 'application/json' },
      body: JSON.stringify(response)
    }).then(function (answer) {
      return answer.json().catch(function () {
        return { message: 'The server could not take the answers (status ' + answer.status + '). Please try again later.' };
      }).then(function (body) {
        if (answer.ok) {
          container.hidden = true;
          send.hidden = true;
          say(body.message, 'done');
          document.body.setAttribute('data-submitted', 'true');
        } else {
          say(body.message, 'error');
          // A used, expired or unknown link stays closed; anything else may be corrected and sent again.
          send.disabled = answer.status === 404 || answer.status === 410;
        }
      });
    }).catch(function () {
      say('Your answers could not be sent: check your connection and press Send again.', 'error');
      send.disabled = false;
    });
  }

  send.addEventListener('click', submit);
  if (document.readyState === 'complete') {
    render();
  } else {
    window.addEventListener('load', render);
  }
})();
