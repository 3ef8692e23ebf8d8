"""Prints the access key the official Python SDK's default credential chain picks.

Run by tests/it/credential_chain.rs with the SDK's venv (scripts/sdk-venv.sh), in an environment
holding only HOME and HUAWEICLOUD_SDK_CREDENTIALS_FILE: its chain then gets past the OIDC and
environment providers to the profile file, as hwinst's does.
"""
from huaweicloudsdkcore.auth.provider import CredentialProviderChain

credentials = CredentialProviderChain.get_basic_credential_provider_chain().get_credentials()
print(credentials.ak)
