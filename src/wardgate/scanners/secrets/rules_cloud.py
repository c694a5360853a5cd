"""Provider rules, part 1: cloud platforms, version control, CI/CD and package registries.

Written from each provider's public description of its credential format (prefix, alphabet, length); not derived
from another scanner's rule files. Token bodies are bounded and every pattern is RE2 (linear-time).
"""

from __future__ import annotations

from wardgate.scanners.secrets.rule import END_B64, Rule, assigned, token

_B62 = "[A-Za-z0-9]"
_URLSAFE = r"[A-Za-z0-9_\-]"

CLOUD: tuple[Rule, ...] = (
    # AWS access key ids: a 4-character type prefix then 16 base32 characters (A-Z, 2-7).
    token(
        "AWS_ACCESS_KEY",
        r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}",
        ("akia", "asia", "abia", "acca", "a3t"),
        family="cloud",
        end=r"(?:[^A-Za-z0-9]|$)",
    ),
    # AWS secret access keys have no prefix: 40 base64 characters assigned to an aws...secret name.
    assigned(
        "AWS_SECRET_KEY",
        r"aws[a-z0-9_.\-]{0,32}(?:secret|sak)",
        r"[A-Za-z0-9/+]{40}",
        ("aws",),
        family="cloud",
        score=0.9,
        min_entropy=4.0,
        end=r"(?:[^A-Za-z0-9/+=]|$)",
    ),
    # Amazon Bedrock long-term API keys: base64 of "BedrockAPIKey-..." prefixed with ABSK.
    token("AWS_BEDROCK_API_KEY", r"ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{80,400}={0,2}", ("absk",), family="cloud",
          end=END_B64),
    # Google API keys (Cloud, Maps, Firebase, Gemini / Google AI Studio): AIza + 35 URL-safe characters.
    token("GCP_API_KEY", rf"AIza{_URLSAFE}{{35}}", ("aiza",), family="cloud", score=0.9),
    # A service-account JSON key file: the PEM in its "private_key" field, newlines escaped as \n.
    Rule(
        "GCP_SERVICE_ACCOUNT_KEY",
        r'"private_key"\s*:\s*"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\[nr]|[A-Za-z0-9+/=\s]){64,}?'
        r'-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)"',
        ("private_key",),
        0.0,
        0.99,
        "cloud",
    ),
    token("GCP_OAUTH_CLIENT_SECRET", rf"GOCSPX-{_URLSAFE}{{28}}", ("gocspx-",), family="cloud"),
    token("GOOGLE_OAUTH_ACCESS_TOKEN", rf"ya29\.{_URLSAFE}{{30,400}}", ("ya29.",), family="cloud", score=0.9),
    # Azure storage / Cosmos DB account keys: 64 bytes, base64 (88 characters ending "==").
    Rule(
        "AZURE_STORAGE_ACCOUNT_KEY",
        r"(?i:accountkey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)",
        ("accountkey",),
        3.5,
        0.95,
        "cloud",
    ),
    # Entra ID (Azure AD) client secrets: 3 characters, a digit, "Q~", then 31-34 characters.
    Rule(
        "AZURE_AD_CLIENT_SECRET",
        r"(?:^|[^A-Za-z0-9_~.\-])(?P<secret>[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)",
        ("q~",),
        3.0,
        0.9,
        "cloud",
    ),
    token("DIGITALOCEAN_TOKEN", r"do[opr]_v1_[a-f0-9]{64}", ("dop_v1_", "doo_v1_", "dor_v1_"), family="cloud"),
    token("ALIBABA_ACCESS_KEY_ID", rf"LTAI{_B62}{{12,20}}", ("ltai",), family="cloud", score=0.85),
    token("HEROKU_API_TOKEN", rf"HRKU-{_URLSAFE}{{20,100}}", ("hrku-",), family="cloud"),
    assigned(
        "HEROKU_API_KEY",
        r"heroku[a-z0-9_.\-]{0,24}(?:key|token|secret|pass)",
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        ("heroku",),
        family="cloud",
    ),
    token("DATABRICKS_TOKEN", r"dapi[a-f0-9]{32}(?:-[0-9])?", ("dapi",), family="cloud", score=0.9),
    token(
        "TAILSCALE_KEY", rf"tskey-(?:api|auth|client|scim|webhook)-{_B62}{{6,24}}-{_B62}{{16,64}}", ("tskey-",),
        family="cloud",
    ),
    token("FLYIO_TOKEN", rf"fo1_{_URLSAFE}{{43}}", ("fo1_",), family="cloud"),
    token("SUPABASE_TOKEN", r"sbp_[a-f0-9]{40}", ("sbp_",), family="cloud"),
)  # fmt: skip

VCS: tuple[Rule, ...] = (
    token("GITHUB_PAT", rf"ghp_{_B62}{{36}}", ("ghp_",), family="vcs", score=0.98),
    token("GITHUB_OAUTH_TOKEN", rf"gho_{_B62}{{36}}", ("gho_",), family="vcs", score=0.98),
    token("GITHUB_APP_TOKEN", rf"gh[us]_{_B62}{{36}}", ("ghu_", "ghs_"), family="vcs", score=0.98),
    token("GITHUB_REFRESH_TOKEN", rf"ghr_{_B62}{{36,76}}", ("ghr_",), family="vcs", score=0.98),
    token("GITHUB_FINE_GRAINED_PAT", rf"github_pat_{_B62}{{22}}_{_B62}{{59}}", ("github_pat_",), family="vcs",
          score=0.98),
    token("GITLAB_PAT", rf"glpat-{_URLSAFE}{{20,300}}(?:\.{_URLSAFE}{{1,16}}){{0,3}}", ("glpat-",), family="vcs"),
    # Other GitLab tokens: pipeline trigger (40), incoming mail (25), OAuth app secret (64), agent (50+), and
    # deploy/runner/SCIM/feed/feature-flag/CI-build tokens (20+, longer when routable).
    token(
        "GITLAB_TOKEN",
        rf"(?:glptt-{_URLSAFE}{{40}}|glimt-{_URLSAFE}{{25}}|gloas-{_URLSAFE}{{64}}|glagent-{_URLSAFE}{{50,300}}"
        rf"|gl(?:dt|rt|soat|ft|ffct|cbt)-{_URLSAFE}{{20,300}}(?:\.{_URLSAFE}{{1,16}}){{0,3}})",
        ("glptt-", "glrt-", "gldt-", "glcbt-", "glimt-", "glagent-", "gloas-", "glsoat-", "glft-", "glffct-"),
        family="vcs",
    ),
    token("GITLAB_RUNNER_REGISTRATION_TOKEN", rf"GR1348941{_URLSAFE}{{20,300}}", ("gr1348941",), family="vcs"),
    token("BITBUCKET_APP_PASSWORD", r"ATBB[A-Za-z0-9_=.\-]{28,64}", ("atbb",), family="vcs", score=0.9),
    token("SOURCEGRAPH_TOKEN", r"sgp_(?:local_|[a-fA-F0-9]{16}_)?[a-fA-F0-9]{40}", ("sgp_",), family="vcs"),
)  # fmt: skip

CI: tuple[Rule, ...] = (
    token("CIRCLECI_TOKEN", rf"CCIP(?:AT|RJ)_{_B62}{{22}}_[a-f0-9]{{40}}", ("ccipat_", "cciprj_"), family="ci"),
    token("BUILDKITE_TOKEN", r"bkua_[a-f0-9]{40}", ("bkua_",), family="ci"),
    token(
        "DOPPLER_TOKEN",
        rf"dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{{1,64}}\.)?{_B62}{{40,44}}",
        ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
        family="ci",
    ),
    token("TERRAFORM_CLOUD_TOKEN", rf"{_B62}{{14}}\.atlasv1\.[A-Za-z0-9_=\-]{{60,70}}", ("atlasv1",), family="ci"),
    token("PULUMI_TOKEN", r"pul-[a-f0-9]{40}", ("pul-",), family="ci"),
    token("PREFECT_TOKEN", rf"pnu_{_B62}{{36}}", ("pnu_",), family="ci"),
)  # fmt: skip

REGISTRIES: tuple[Rule, ...] = (
    token("NPM_TOKEN", rf"npm_{_B62}{{36}}", ("npm_",), family="registry"),
    # An .npmrc line: //host[/path]/:_authToken=<value> (legacy tokens are UUIDs, so no prefix to rely on).
    Rule(
        "NPMRC_AUTH_TOKEN",
        r"//[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%@\-]+)*/:_authToken\s*=\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9_\-]{20,200})(?:[^A-Za-z0-9_\-]|$)",
        ("_authtoken",),
        3.0,
        0.9,
        "registry",
    ),
    token(
        "PYPI_TOKEN",
        rf"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw){_URLSAFE}{{100,400}}",
        ("pypi-age",),
        family="registry",
        score=0.98,
    ),
    token("RUBYGEMS_API_KEY", r"rubygems_[a-f0-9]{48}", ("rubygems_",), family="registry"),
    token("NUGET_API_KEY", r"oy2[a-z0-9]{43}", ("oy2",), family="registry", score=0.85),
    token("DOCKERHUB_TOKEN", rf"dckr_(?:pat|oat)_{_URLSAFE}{{27,40}}", ("dckr_pat_", "dckr_oat_"), family="registry"),
    token("ARTIFACTORY_API_KEY", rf"AKCp{_B62}{{69}}", ("akcp",), family="registry", score=0.9),
    token("ARTIFACTORY_REFERENCE_TOKEN", rf"cmVmdGtuOjAxOj{_B62}{{40,80}}", ("cmvmdgtuojaxoj",), family="registry",
          score=0.9),
)  # fmt: skip
