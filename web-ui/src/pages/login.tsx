import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { ErrorBox } from '../components.js';
import { errText, getLang, setLang, t } from '../i18n.js';

export function Login({ onDone }: { onDone: () => void }) {
  const [username, setU] = useState('');
  const [password, setP] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/session', { username, password });
      onDone();
    } catch (err) {
      setError(errText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form onSubmit={(e) => void submit(e)} class="card">
        <h1>{t('appName')}</h1>
        <label class="field">
          <span class="lbl">{t('username')}</span>
          <input id="username" autoFocus autoComplete="username" value={username} onInput={(e) => setU((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span class="lbl">{t('password')}</span>
          <input id="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setP((e.target as HTMLInputElement).value)} />
        </label>
        <ErrorBox error={error} />
        <div class="row">
          <button type="submit" class="primary" id="login" disabled={busy || !username || !password}>{t('login')}</button>
          <span class="spacer" />
          <button type="button" class="link" onClick={() => setLang(getLang() === 'zh' ? 'en' : 'zh')}>{t('language')}</button>
        </div>
      </form>
    </div>
  );
}
