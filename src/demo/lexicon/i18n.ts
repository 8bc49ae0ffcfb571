import type { Language } from '../languages.ts';

/**
 * Hand-written German, Spanish, Russian, Japanese and Arabic user questions and answer sentences
 * about the same product, so that non-Latin scripts and their token densities show up in the
 * traffic. The knowledge base (RAG context) stays English, as it usually does in production.
 */

export type OtherLanguage = Exclude<Language, 'en'>;

/** One question in every other language, with the intent it carries. */
export interface LocalizedQuestion {
  readonly intent: string;
  readonly text: Readonly<Record<OtherLanguage, string>>;
}

export const I18N_QUESTIONS: readonly LocalizedQuestion[] = [
  {
    intent: 'billing.invoice',
    text: {
      de: 'Wie kann ich eine Rechnung stornieren, die bereits versendet wurde?',
      es: '¿Cómo puedo anular una factura que ya fue enviada?',
      ru: 'Как отменить счёт, который уже был отправлен клиенту?',
      ja: 'すでに送信した請求書を取り消すにはどうすればよいですか？',
      ar: 'كيف يمكنني إلغاء فاتورة تم إرسالها بالفعل؟',
    },
  },
  {
    intent: 'billing.payment_status',
    text: {
      de: 'Warum wird meine Zahlung seit gestern als ausstehend angezeigt?',
      es: '¿Por qué mi pago aparece como pendiente desde ayer?',
      ru: 'Почему мой платёж со вчерашнего дня висит в статусе «ожидает»?',
      ja: '昨日から支払いが保留中のままになっているのはなぜですか？',
      ar: 'لماذا تظهر دفعتي قيد الانتظار منذ الأمس؟',
    },
  },
  {
    intent: 'auth.sso',
    text: {
      de: 'Wie richte ich SAML-Single-Sign-on für unser Team ein?',
      es: '¿Cómo configuro el inicio de sesión único con SAML para mi equipo?',
      ru: 'Как настроить единый вход через SAML для нашей команды?',
      ja: 'チームのためにSAMLシングルサインオンを設定する方法を教えてください。',
      ar: 'كيف أقوم بإعداد تسجيل الدخول الموحد عبر SAML لفريقي؟',
    },
  },
  {
    intent: 'account.plan',
    text: {
      de: 'Kann ich die Rechnungswährung nachträglich ändern?',
      es: '¿Puedo cambiar la moneda de facturación después de crear la cuenta?',
      ru: 'Можно ли изменить валюту выставления счетов после создания аккаунта?',
      ja: 'アカウント作成後に請求通貨を変更できますか？',
      ar: 'هل يمكنني تغيير عملة الفوترة بعد إنشاء الحساب؟',
    },
  },
  {
    intent: 'auth.api_key',
    text: {
      de: 'Wo finde ich den API-Schlüssel für unsere Integration?',
      es: '¿Dónde encuentro la clave de API para nuestra integración?',
      ru: 'Где найти API-ключ для нашей интеграции?',
      ja: '連携用のAPIキーはどこで確認できますか？',
      ar: 'أين أجد مفتاح API الخاص بالتكامل؟',
    },
  },
  {
    intent: 'data.export',
    text: {
      de: 'Wie exportiere ich alle Rechnungen des letzten Quartals als CSV?',
      es: '¿Cómo exporto todas las facturas del último trimestre en CSV?',
      ru: 'Как выгрузить все счета за прошлый квартал в CSV?',
      ja: '前四半期の請求書をすべてCSVでエクスポートするには？',
      ar: 'كيف أصدّر جميع فواتير الربع الماضي بصيغة CSV؟',
    },
  },
  {
    intent: 'integrations.webhook',
    text: {
      de: 'Warum kommen unsere Webhooks nicht mehr an?',
      es: '¿Por qué dejaron de llegar nuestros webhooks?',
      ru: 'Почему перестали приходить вебхуки?',
      ja: 'Webhookが届かなくなったのはなぜですか？',
      ar: 'لماذا توقفت إشعارات الويب هوك عن الوصول؟',
    },
  },
  {
    intent: 'account.roles',
    text: {
      de: 'Wie füge ich einen neuen Benutzer mit Leserechten hinzu?',
      es: '¿Cómo agrego un usuario nuevo con permisos de solo lectura?',
      ru: 'Как добавить нового пользователя только с правами просмотра?',
      ja: '閲覧権限のみの新しいユーザーを追加するにはどうすればよいですか？',
      ar: 'كيف أضيف مستخدمًا جديدًا بصلاحيات القراءة فقط؟',
    },
  },
  {
    intent: 'account.plan',
    text: {
      de: 'Was passiert mit unseren Daten, wenn wir den Tarif herabstufen?',
      es: '¿Qué pasa con nuestros datos si bajamos de plan?',
      ru: 'Что произойдёт с нашими данными при переходе на более дешёвый тариф?',
      ja: 'プランをダウングレードするとデータはどうなりますか？',
      ar: 'ماذا يحدث لبياناتنا إذا انتقلنا إلى خطة أقل؟',
    },
  },
  {
    intent: 'billing.refund',
    text: {
      de: 'Wie erstelle ich eine Gutschrift für eine Teilrückerstattung?',
      es: '¿Cómo emito una nota de crédito por un reembolso parcial?',
      ru: 'Как оформить кредит-ноту на частичный возврат?',
      ja: '一部返金のためのクレジットノートを発行する方法は？',
      ar: 'كيف أصدر إشعارًا دائنًا لاسترداد جزئي؟',
    },
  },
];

export const I18N_ANSWERS: Readonly<Record<OtherLanguage, readonly string[]>> = {
  de: [
    'Öffnen Sie dazu Einstellungen > Abrechnung und wählen Sie die betreffende Rechnung aus.',
    'Die Änderung wird in der Regel innerhalb von fünf Minuten wirksam.',
    'Nur Benutzer mit der Rolle Administrator können diese Einstellung ändern.',
    'Bitte prüfen Sie, ob die Webhook-URL öffentlich erreichbar ist und mit HTTP 200 antwortet.',
    'Sie können den Export auch über die REST-API mit dem Endpunkt /v2/exports starten.',
    'Bereits versendete Rechnungen lassen sich nicht löschen, aber stornieren.',
    'Eine Gutschrift wird automatisch mit der ursprünglichen Rechnung verknüpft.',
    'Wenn das Problem weiterhin besteht, wenden Sie sich bitte mit der Anfrage-ID an den Support.',
    'Der neue API-Schlüssel ist sofort aktiv, der alte bleibt noch 24 Stunden gültig.',
    'Ihre Daten bleiben nach einem Tarifwechsel vollständig erhalten.',
  ],
  es: [
    'Para hacerlo, abra Configuración > Facturación y seleccione la factura correspondiente.',
    'El cambio suele aplicarse en menos de cinco minutos.',
    'Solo los usuarios con el rol de administrador pueden modificar este ajuste.',
    'Verifique que la URL del webhook sea pública y responda con HTTP 200.',
    'También puede iniciar la exportación desde la API REST con el endpoint /v2/exports.',
    'Las facturas enviadas no se pueden eliminar, pero sí anular.',
    'La nota de crédito queda vinculada automáticamente a la factura original.',
    'Si el problema continúa, escriba a soporte e incluya el ID de la solicitud.',
    'La nueva clave de API se activa de inmediato y la anterior sigue siendo válida durante 24 horas.',
    'Sus datos se conservan por completo después de un cambio de plan.',
  ],
  ru: [
    'Для этого откройте «Настройки» > «Оплата» и выберите нужный счёт.',
    'Изменение обычно вступает в силу в течение пяти минут.',
    'Изменять этот параметр могут только пользователи с ролью администратора.',
    'Проверьте, что URL вебхука доступен из интернета и отвечает кодом HTTP 200.',
    'Выгрузку также можно запустить через REST API с помощью эндпоинта /v2/exports.',
    'Отправленные счета нельзя удалить, но их можно аннулировать.',
    'Кредит-нота автоматически привязывается к исходному счёту.',
    'Если проблема сохраняется, напишите в поддержку и укажите идентификатор запроса.',
    'Новый API-ключ действует сразу, а старый остаётся активным ещё 24 часа.',
    'После смены тарифа все ваши данные полностью сохраняются.',
  ],
  ja: [
    '「設定」>「請求」を開き、対象の請求書を選択してください。',
    '変更は通常5分以内に反映されます。',
    'この設定を変更できるのは管理者ロールのユーザーのみです。',
    'WebhookのURLが外部から到達可能で、HTTP 200を返すことを確認してください。',
    'REST APIの/v2/exportsエンドポイントからエクスポートを開始することもできます。',
    '送信済みの請求書は削除できませんが、取り消すことはできます。',
    'クレジットノートは元の請求書に自動的に関連付けられます。',
    '問題が解決しない場合は、リクエストIDを添えてサポートまでご連絡ください。',
    '新しいAPIキーはすぐに有効になり、古いキーは24時間有効なままです。',
    'プランを変更しても、データはすべて保持されます。',
  ],
  ar: [
    'للقيام بذلك، افتح الإعدادات ثم الفوترة واختر الفاتورة المطلوبة.',
    'عادةً ما يسري التغيير خلال خمس دقائق.',
    'يمكن فقط للمستخدمين الذين لديهم دور المسؤول تعديل هذا الإعداد.',
    'تأكد من أن عنوان URL الخاص بالويب هوك متاح للعامة ويستجيب برمز HTTP 200.',
    'يمكنك أيضًا بدء التصدير عبر واجهة REST API باستخدام نقطة النهاية /v2/exports.',
    'لا يمكن حذف الفواتير المرسلة، ولكن يمكن إلغاؤها.',
    'يتم ربط الإشعار الدائن تلقائيًا بالفاتورة الأصلية.',
    'إذا استمرت المشكلة، يرجى التواصل مع الدعم مع ذكر معرّف الطلب.',
    'يصبح مفتاح API الجديد فعالًا فورًا، ويبقى المفتاح القديم صالحًا لمدة 24 ساعة.',
    'تبقى جميع بياناتك محفوظة بالكامل بعد تغيير الخطة.',
  ],
};

/** The canonical refusal of each language; English is the exact string refusal detectors look for. */
export const REFUSALS: Readonly<Record<Language, string>> = {
  en: "I'm sorry, but I can't help with that.",
  de: 'Es tut mir leid, aber dabei kann ich nicht helfen.',
  es: 'Lo siento, pero no puedo ayudar con eso.',
  ru: 'Извините, но я не могу с этим помочь.',
  ja: '申し訳ありませんが、それについてはお手伝いできません。',
  ar: 'عذرًا، لا أستطيع المساعدة في ذلك.',
};

/** E-mail phrases for the entity extractor; `{inv}`, `{amount}`, `{date}`, `{person}`, `{org}`. */
export const EMAIL_PHRASES: Readonly<
  Record<Language, { readonly greeting: string; readonly invoice: string; readonly closing: string }>
> = {
  en: {
    greeting: 'Hi {person},',
    invoice: 'Please find attached invoice {inv} for {amount}, due on {date}.',
    closing: 'Best regards,',
  },
  de: {
    greeting: 'Hallo {person},',
    invoice: 'anbei erhalten Sie die Rechnung {inv} über {amount}, fällig am {date}.',
    closing: 'Mit freundlichen Grüßen',
  },
  es: {
    greeting: 'Hola {person}:',
    invoice: 'Adjuntamos la factura {inv} por {amount}, con vencimiento el {date}.',
    closing: 'Saludos cordiales,',
  },
  ru: {
    greeting: 'Здравствуйте, {person}!',
    invoice: 'Во вложении счёт {inv} на сумму {amount}, срок оплаты — {date}.',
    closing: 'С уважением,',
  },
  ja: {
    greeting: '{person}様',
    invoice: '請求書{inv}（金額{amount}、支払期日{date}）を添付いたします。',
    closing: 'よろしくお願いいたします。',
  },
  ar: {
    greeting: 'مرحبًا {person}،',
    invoice: 'مرفق الفاتورة {inv} بمبلغ {amount}، وتاريخ الاستحقاق {date}.',
    closing: 'مع أطيب التحيات،',
  },
};
