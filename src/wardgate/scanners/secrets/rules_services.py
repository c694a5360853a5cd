"""Provider rules, part 2: payments, messaging, AI providers, observability and other SaaS.

Written from each provider's public description of its credential format (prefix, alphabet, length); not derived
from another scanner's rule files. Token bodies are bounded and every pattern is RE2 (linear-time).
"""

from __future__ import annotations

from wardgate.scanners.secrets.rule import END_B64, Rule, assigned, token

_B62 = "[A-Za-z0-9]"
_URLSAFE = r"[A-Za-z0-9_\-]"

PAYMENT: tuple[Rule, ...] = (
    token("STRIPE_SECRET_KEY", rf"[sr]k_live_{_B62}{{24,247}}", ("sk_live_", "rk_live_"), family="payment", score=0.98),
    token("STRIPE_TEST_KEY", rf"[sr]k_test_{_B62}{{24,247}}", ("sk_test_", "rk_test_"), family="payment", score=0.6),
    token("STRIPE_WEBHOOK_SECRET", rf"whsec_{_B62}{{32,64}}", ("whsec_",), family="payment"),
    token(
        "SQUARE_ACCESS_TOKEN", rf"(?:EAAA{_URLSAFE}{{60}}|sq0atp-{_URLSAFE}{{22}})", ("eaaa", "sq0atp-"),
        family="payment",
    ),
    token("SQUARE_OAUTH_SECRET", rf"sq0csp-{_URLSAFE}{{43}}", ("sq0csp-",), family="payment"),
    token(
        "BRAINTREE_ACCESS_TOKEN", r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}",
        ("access_token$",), family="payment", score=0.98,
    ),
)  # fmt: skip

MESSAGING: tuple[Rule, ...] = (
    # Slack bot/user/legacy tokens: xox?- then numeric team/user ids and a random part.
    token(
        "SLACK_TOKEN",
        r"xox[abposr]-(?:[0-9]{1,2}-)?[0-9]{8,14}(?:-[0-9A-Za-z]{6,64}){1,4}",
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"),
        family="messaging",
    ),
    token("SLACK_CONFIG_TOKEN", rf"xoxe(?:\.xox[bp])?-[0-9]-{_B62}{{140,250}}", ("xoxe",), family="messaging"),
    token("SLACK_APP_TOKEN", r"xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{60,70}", ("xapp-",), family="messaging"),
    Rule(
        "SLACK_WEBHOOK_URL",
        r"(?P<secret>https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{30,160})",
        ("hooks.slack.com",),
        3.0,
        0.95,
        "messaging",
    ),
    # Discord bot tokens: base64 of the numeric bot id (so M, N or O first), a timestamp part, an HMAC part.
    # No literal to prefilter on, so this is one of the few rules that runs on every text.
    Rule(
        "DISCORD_BOT_TOKEN",
        r"(?:^|[^A-Za-z0-9_\-.])(?P<secret>[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})"
        r"(?:[^A-Za-z0-9_\-.]|$)",
        (),
        3.5,
        0.9,
        "messaging",
    ),
    Rule(
        "DISCORD_WEBHOOK_URL",
        r"(?P<secret>https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})",
        ("discord",),
        3.0,
        0.95,
        "messaging",
    ),
    token("TELEGRAM_BOT_TOKEN", rf"[0-9]{{8,10}}:AA{_URLSAFE}{{33}}", (":aa",), family="messaging", score=0.9),
    token("TWILIO_API_KEY", r"SK[0-9a-f]{32}", ("sk",), family="messaging", score=0.8),
    token("TWILIO_ACCOUNT_SID", r"AC[0-9a-f]{32}", ("ac",), family="messaging", score=0.5),
    assigned("TWILIO_AUTH_TOKEN", r"twilio[a-z0-9_.\-]{0,24}(?:auth|token|secret)", r"[a-f0-9]{32}", ("twilio",),
             family="messaging"),
    token("SENDGRID_API_KEY", rf"SG\.{_URLSAFE}{{22}}\.{_URLSAFE}{{43}}", ("sg.",), family="messaging", score=0.98),
    token("MAILGUN_API_KEY", rf"key-{_B62}{{32}}", ("key-",), family="messaging", score=0.85, min_entropy=3.2),
    token("MAILCHIMP_API_KEY", r"[0-9a-f]{32}-us[0-9]{1,2}", ("-us",), family="messaging", score=0.9),
    token("BREVO_API_KEY", rf"xkeysib-[a-f0-9]{{64}}-{_B62}{{16}}", ("xkeysib-",), family="messaging"),
    Rule(
        "MS_TEAMS_WEBHOOK_URL",
        r"(?P<secret>https://[a-z0-9\-]{1,64}\.webhook\.office\.com/webhookb2/[a-f0-9\-]{36}@[a-f0-9\-]{36}"
        r"/IncomingWebhook/[a-f0-9]{32}/[a-f0-9\-]{36})",
        ("webhook.office.com",),
        3.0,
        0.95,
        "messaging",
    ),
)  # fmt: skip

AI: tuple[Rule, ...] = (
    # OpenAI keys embed "T3BlbkFJ" (base64 of "OpenAI"); newer project/service-account keys may not.
    token(
        "OPENAI_API_KEY",
        rf"sk-(?:(?:proj|svcacct|admin)-)?{_URLSAFE}{{16,200}}T3BlbkFJ{_URLSAFE}{{16,200}}",
        ("t3blbkfj",),
        family="ai",
        score=0.98,
    ),
    token("OPENAI_PROJECT_KEY", rf"sk-(?:proj|svcacct|admin)-{_URLSAFE}{{80,250}}",
          ("sk-proj-", "sk-svcacct-", "sk-admin-"), family="ai", score=0.95, min_entropy=3.5),
    token("ANTHROPIC_API_KEY", rf"sk-ant-(?:api|sid|oat|ort)[0-9]{{2}}-{_URLSAFE}{{80,120}}AA", ("sk-ant-",),
          family="ai", score=0.98),
    token("ANTHROPIC_ADMIN_KEY", rf"sk-ant-admin[0-9]{{2}}-{_URLSAFE}{{80,120}}AA", ("sk-ant-admin",), family="ai",
          score=0.98),
    token("HUGGINGFACE_TOKEN", rf"hf_{_B62}{{34}}", ("hf_",), family="ai", min_entropy=3.5),
    token("HUGGINGFACE_ORG_TOKEN", r"api_org_[A-Za-z]{34}", ("api_org_",), family="ai", min_entropy=3.5),
    assigned("COHERE_API_KEY", r"(?:cohere|co_api_key)", rf"{_B62}{{40}}", ("cohere", "co_api_key"), family="ai",
             min_entropy=3.5),
    token("REPLICATE_API_TOKEN", rf"r8_{_B62}{{37}}", ("r8_",), family="ai"),
    token("GROQ_API_KEY", rf"gsk_{_B62}{{52}}", ("gsk_",), family="ai"),
    token("PERPLEXITY_API_KEY", rf"pplx-{_B62}{{48}}", ("pplx-",), family="ai"),
    token("XAI_API_KEY", rf"xai-{_B62}{{80}}", ("xai-",), family="ai"),
    token("OPENROUTER_API_KEY", r"sk-or-v1-[a-f0-9]{64}", ("sk-or-v1-",), family="ai"),
    token("LANGSMITH_API_KEY", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", ("lsv2_",), family="ai"),
)  # fmt: skip

OBSERVABILITY: tuple[Rule, ...] = (
    assigned("DATADOG_API_KEY", r"(?:datadog|\bdd)[a-z0-9_.\-]{0,16}(?:api|app)", r"[a-f0-9]{32}|[a-f0-9]{40}",
             ("datadog", "dd"), family="observability"),
    token("NEWRELIC_USER_KEY", r"NRAK-[A-Z0-9]{27}", ("nrak-",), family="observability"),
    token("NEWRELIC_INSERT_KEY", rf"NRI[IQ]-{_URLSAFE}{{32}}", ("nrii-", "nriq-"), family="observability"),
    token("NEWRELIC_LICENSE_KEY", r"[a-f0-9]{36}NRAL", ("nral",), family="observability"),
    # A Sentry DSN carries a (public, but abusable) key: the span is the key, not the whole URL.
    Rule(
        "SENTRY_DSN",
        r"https?://(?P<secret>[a-f0-9]{32}(?::[a-f0-9]{32})?)@[A-Za-z0-9.\-]{0,64}(?:sentry|ingest)[A-Za-z0-9.\-]{0,64}"
        r"(?::[0-9]{1,5})?/[0-9]{1,12}",
        ("sentry", "ingest"),
        3.0,
        0.7,
        "observability",
    ),
    token("SENTRY_AUTH_TOKEN", r"sntry(?:u_[a-f0-9]{64}|s_eyJ[A-Za-z0-9+/=_\-]{50,400})", ("sntryu_", "sntrys_"),
          family="observability", end=END_B64),
    token("GRAFANA_CLOUD_TOKEN", r"glc_[A-Za-z0-9+/]{32,400}={0,2}", ("glc_",), family="observability",
          end=END_B64),
    token("GRAFANA_SERVICE_ACCOUNT_TOKEN", rf"glsa_{_B62}{{32}}_[A-Fa-f0-9]{{8}}", ("glsa_",),
          family="observability"),
    token("GRAFANA_API_KEY", rf"eyJrIjoi{_B62}{{60,400}}={{0,2}}", ("eyjrijoi",), family="observability",
          end=END_B64),
    token("DYNATRACE_TOKEN", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}", ("dt0c01.",), family="observability"),
)  # fmt: skip

OTHER: tuple[Rule, ...] = (
    token("SHOPIFY_TOKEN", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", ("shpat_", "shpca_", "shppa_", "shpss_"),
          family="other"),
    token("ATLASSIAN_API_TOKEN", r"AT(?:ATT|CTT|OAT)3[A-Za-z0-9_=\-]{100,300}", ("atatt3", "atctt3", "atoat3"),
          family="other"),
    token("LINEAR_API_KEY", rf"lin_(?:api_{_B62}{{40}}|oauth_[a-f0-9]{{64}})", ("lin_api_", "lin_oauth_"),
          family="other"),
    token("NOTION_TOKEN", rf"(?:secret_{_B62}{{43}}|ntn_[0-9]{{11}}{_B62}{{35}})", ("secret_", "ntn_"),
          family="other", min_entropy=3.5),
    token("POSTMAN_API_KEY", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", ("pmak-",), family="other"),
    token("VAULT_TOKEN", rf"hv[sbr]\.{_URLSAFE}{{24,400}}", ("hvs.", "hvb.", "hvr."), family="other"),
    # Vault's pre-1.10 service tokens ("s." + 24) are too plain to match alone: only when assigned to a token name.
    assigned("VAULT_LEGACY_TOKEN", r"(?:vault|token)", rf"s\.{_B62}{{24}}", ("vault", "token"), family="other",
             score=0.8, min_entropy=3.8),
    token("AGE_SECRET_KEY", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", ("age-secret-key-1",),
          family="other", score=0.99),
    token("ONEPASSWORD_SERVICE_TOKEN", r"ops_eyJ[A-Za-z0-9+/]{250,1000}={0,3}", ("ops_eyj",), family="other",
          end=END_B64),
    token("FIGMA_TOKEN", rf"figd_{_URLSAFE}{{40}}", ("figd_",), family="other"),
    token("AIRTABLE_TOKEN", rf"pat{_B62}{{14}}\.[a-f0-9]{{64}}", ("pat",), family="other"),
    token("MAPBOX_SECRET_TOKEN", rf"sk\.eyJ{_URLSAFE}{{20,400}}\.{_URLSAFE}{{20,100}}", ("sk.eyj",), family="other"),
    token("FACEBOOK_ACCESS_TOKEN", rf"EAA[A-Z]{_B62}{{90,300}}", ("eaa",), family="other", score=0.85),
    token("FACEBOOK_APP_TOKEN", rf"[0-9]{{15,16}}\|{_URLSAFE}{{27}}", (), family="other", score=0.85),
)  # fmt: skip
