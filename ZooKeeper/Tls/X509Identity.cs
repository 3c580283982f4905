using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>
/// The identity ZooKeeper's x509 provider gives a TLS client: <c>x509:</c> and the certificate's subject as Java's
/// <c>X500Principal.getName()</c> writes it (RFC 2253: last RDN first, no spaces, known keywords, others as
/// <c>OID=#hex</c>), so an ACL naming it matches the session the server authenticates.
/// </summary>
public static class X509Identity
{
    public const string Scheme = "x509";

    // The keywords Java's RFC 2253 output uses; any other attribute is written as its OID with a #hex DER value.
    private static readonly Dictionary<string, string> Keywords = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "STREET",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
    };

    /// <summary>The x509 identity of <paramref name="certificate"/>.</summary>
    public static Id Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new Id(Scheme, Rfc2253(certificate.SubjectName));
    }

    /// <summary>The x509 identity of the first certificate in a PEM file.</summary>
    public static Id OfPemFile(string certificatePath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        return Of(certificate);
    }

    /// <summary>A distinguished name in Java's RFC 2253 form.</summary>
    public static string Rfc2253(X500DistinguishedName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var reader = new AsnReader(name.RawData, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var rdns = new List<string>();
        while (sequence.HasData)
        {
            var set = sequence.ReadSetOf();
            var values = new List<string>();
            while (set.HasData)
            {
                var pair = set.ReadSequence();
                var oid = pair.ReadObjectIdentifier();
                var encoded = pair.ReadEncodedValue();
                values.Add(Keywords.TryGetValue(oid, out var keyword) && TryReadString(encoded, out var text)
                    ? keyword + "=" + Escape(text)
                    : oid + "=#" + Convert.ToHexStringLower(encoded.Span));
            }

            rdns.Add(string.Join('+', values));
        }

        rdns.Reverse();
        return string.Join(',', rdns);
    }

    private static bool TryReadString(ReadOnlyMemory<byte> encoded, out string text)
    {
        var value = new AsnReader(encoded, AsnEncodingRules.DER);
        var tag = value.PeekTag();
        if (tag.TagClass == TagClass.Universal && tag.TagValue is (int)UniversalTagNumber.UTF8String or (int)UniversalTagNumber.PrintableString
            or (int)UniversalTagNumber.IA5String or (int)UniversalTagNumber.BMPString or (int)UniversalTagNumber.T61String
            or (int)UniversalTagNumber.UniversalString or (int)UniversalTagNumber.VisibleString)
        {
            text = value.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            return true;
        }

        text = string.Empty;
        return false;
    }

    /// <summary>RFC 2253 section 2.4 escaping, as Java applies it.</summary>
    private static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var special = c is ',' or '+' or '"' or '\\' or '<' or '>' or ';'
                || (i == 0 && c is '#' or ' ')
                || (i == value.Length - 1 && c == ' ');
            if (special)
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
