/**
 * French first: the console speaks French unless the user switched to English (kept in this browser). The
 * language is also sent to the API (Accept-Language), whose messages follow it.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en';
import { fr, type Messages } from './fr';

export type Language = 'fr' | 'en';
export type { Messages };

const STORAGE_KEY = 'pension-console.language';
const MESSAGES: Record<Language, Messages> = { fr, en };

let language: Language = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
const listeners = new Set<(language: Language) => void>();

export function currentLanguage(): Language {
  return language;
}

export function setLanguage(next: Language): void {
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function messagesFor(lang: Language): Messages {
  return MESSAGES[lang];
}

export interface Translation {
  lang: Language;
  m: Messages;
}

export const TranslationContext = createContext<Translation>({ lang: 'fr', m: fr });

export function useT(): Translation {
  return useContext(TranslationContext);
}
