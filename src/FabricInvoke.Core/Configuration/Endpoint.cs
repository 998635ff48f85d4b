using System.Globalization;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Configuration;

/// <summary>A Fabric node address as Fabric writes it: <c>host:port</c> (IPv6 as <c>[::1]:port</c>).</summary>
internal sealed record Endpoint(string Host, int Port)
{
    /// <summary>The address exactly as the user wrote it, used in every message.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses host:port. A leading grpc:// or grpcs:// (as connection profiles write it) is accepted and dropped.</summary>
    /// <exception cref="FabricInvokeException">Usage: the address is not host:port with a port from 1 to 65535.</exception>
    public static Endpoint Parse(string address, string what)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.Trim();
        foreach (var scheme in new[] { "grpcs://", "grpc://" })
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                text = text[scheme.Length..];
            }
        }

        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                throw Bad(address, what);
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw Bad(address, what);
            }

            host = text[..colon];
            port = text[(colon + 1)..];
        }

        // The host becomes the authority of the channel's URI: one the URI parser would refuse (a<b) or re-read as
        // something else (a#b is host "a" on port 80) must be refused here, naming the address.
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c == '/' || c == '@')
            || Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
        {
            throw Bad(address, what);
        }

        return new Endpoint(host, p);
    }

    /// <summary>
    /// True when <paramref name="host"/> can be a TLS host name to verify (a DNS name or an IP address): what a host
    /// name override must be. Checked before anything connects, so a typo is named at once rather than retried.
    /// </summary>
    public static bool IsHostName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Length == 0 || host.Length > 253 || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '@' or '*'))
        {
            return false;
        }

        switch (Uri.CheckHostName(host))
        {
            case UriHostNameType.IPv4 or UriHostNameType.IPv6:
                return true;
            case UriHostNameType.Dns:
                try
                {
                    // What .NET's certificate name check accepts (it throws for anything IDNA refuses).
                    _ = new IdnMapping().GetAscii(host.TrimEnd('.'));
                    return true;
                }
                catch (ArgumentException)
                {
                    return false;
                }

            default:
                return false;
        }
    }

    private static FabricInvokeException Bad(string address, string what) =>
        Failures.Usage($"invalid {what} address '{address}': expected host:port");
}
